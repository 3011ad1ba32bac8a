using MLNet.Adversarial.Data;
using TorchSharp;

namespace MLNet.Adversarial.Trainers;

/// <summary>
/// Everything needed to continue training: the TorchSharp module's state dictionary (weights and the row-sparse
/// optimiser's state, in TorchSharp's own format), the epoch reached, and the vocabularies the rows belong to.
/// </summary>
public sealed class TrainingCheckpoint
{
    private static readonly byte[] Magic = "MLNACK"u8.ToArray();
    private const int FormatVersion = 1;

    private TrainingCheckpoint(int epoch, IdVocabulary users, IdVocabulary items, byte[] moduleState)
    {
        Epoch = epoch;
        Users = users;
        Items = items;
        _moduleState = moduleState;
    }

    private readonly byte[] _moduleState;

    /// <summary>The last completed epoch.</summary>
    public int Epoch { get; }

    /// <summary>The user vocabulary of the weights.</summary>
    public IdVocabulary Users { get; }

    /// <summary>The item vocabulary of the weights.</summary>
    public IdVocabulary Items { get; }

    internal static TrainingCheckpoint Capture(torch.nn.Module module, InteractionData train, int epoch)
    {
        using var moduleStream = new MemoryStream();
        using (var w = new BinaryWriter(moduleStream, System.Text.Encoding.UTF8, leaveOpen: true)) module.save(w);
        return new TrainingCheckpoint(epoch, train.Users, train.Items, moduleStream.ToArray());
    }

    internal void Restore(torch.nn.Module module, InteractionData train)
    {
        if (!Users.Equals(train.Users) || !Items.Equals(train.Items))
            throw new InvalidOperationException(
                $"The checkpoint was made on other data ({Users.Count} users, {Items.Count} items; this data has {train.Users.Count} users, {train.Items.Count} items). Resume with the same training data.");
        using var r = new BinaryReader(new MemoryStream(_moduleState));
        module.load(r);
    }

    /// <summary>Writes the checkpoint to <paramref name="path"/> atomically (a temporary file, then a rename).</summary>
    public void Save(string path) => AtomicFile.Write(path, Save);

    /// <summary>Writes the checkpoint to <paramref name="stream"/>.</summary>
    public void Save(Stream stream)
    {
        using var w = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
        w.Write(Magic);
        w.Write(FormatVersion);
        w.Write(Epoch);
        Users.WriteTo(w);
        Items.WriteTo(w);
        w.Write(_moduleState.Length);
        w.Write(_moduleState);
    }

    /// <summary>Reads a checkpoint; a damaged or foreign file gives an <see cref="InvalidDataException"/> naming it.</summary>
    public static TrainingCheckpoint Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Checkpoint '{path}' does not exist.", path);
        using var stream = File.OpenRead(path);
        return Load(stream, path);
    }

    /// <summary>Reads a checkpoint from <paramref name="stream"/>; <paramref name="name"/> is used in error messages.</summary>
    public static TrainingCheckpoint Load(Stream stream, string name = "checkpoint")
    {
        try
        {
            using var r = new BinaryReader(stream, System.Text.Encoding.UTF8, leaveOpen: true);
            if (!r.ReadBytes(Magic.Length).AsSpan().SequenceEqual(Magic)) throw new InvalidDataException($"'{name}' is not a training checkpoint.");
            int version = r.ReadInt32();
            if (version != FormatVersion) throw new InvalidDataException($"'{name}' has checkpoint format {version}; this library reads {FormatVersion}.");
            int epoch = r.ReadInt32();
            var users = IdVocabulary.ReadFrom(r);
            var items = IdVocabulary.ReadFrom(r);
            return new TrainingCheckpoint(epoch, users, items, ReadBlock(r, name));
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException($"'{name}' is truncated.", e);
        }
    }

    private static byte[] ReadBlock(BinaryReader r, string name)
    {
        int length = r.ReadInt32();
        if (length < 0 || length > r.BaseStream.Length - r.BaseStream.Position) throw new InvalidDataException($"'{name}' is truncated or corrupt.");
        return r.ReadBytes(length);
    }
}
