using MLNet.Adversarial.Data;
using MLNet.Adversarial.Models;
using System.Runtime.InteropServices;
using TorchSharp;

namespace MLNet.Adversarial.Trainers;

/// <summary>
/// Everything needed to continue training: the TorchSharp module's state dictionary (weights and the row-sparse
/// optimiser's state, in TorchSharp's own format), the epoch reached, the vocabularies the rows belong to, and the
/// model-selection state (best validated model, its metric and epoch, and the early-stopping patience counter), so
/// that a resumed run selects and stops exactly as an uninterrupted one would.
/// </summary>
/// <remarks>
/// Format version 2 (version 1 files, which lack the model-selection state, are rejected with a clear message).
/// The per-epoch random streams are derived from the seed and the epoch number, so no RNG state is stored: resume
/// with the same data, options and seed.
/// </remarks>
public sealed class TrainingCheckpoint
{
    private static readonly byte[] Magic = "MLNACK"u8.ToArray();
    private const int FormatVersion = 2;

    private TrainingCheckpoint(int epoch, IdVocabulary users, IdVocabulary items, byte[] moduleState, ModelSelectionState selection,
        IReadOnlyDictionary<string, string> settings)
    {
        Settings = settings;
        Epoch = epoch;
        Users = users;
        Items = items;
        _moduleState = moduleState;
        Selection = selection;
    }

    private readonly byte[] _moduleState;

    /// <summary>The last completed epoch.</summary>
    public int Epoch { get; }

    /// <summary>The user vocabulary of the weights.</summary>
    public IdVocabulary Users { get; }

    /// <summary>The item vocabulary of the weights.</summary>
    public IdVocabulary Items { get; }

    /// <summary>The model-selection state at <see cref="Epoch"/>.</summary>
    internal ModelSelectionState Selection { get; }

    /// <summary>The epoch of the best validated model so far (0: none; training without validation data).</summary>
    public int BestEpoch => Selection.BestEpoch;

    /// <summary>The validation metric of the best model so far (negative infinity: none).</summary>
    public double BestMetric => Selection.BestMetric;

    /// <summary>Validated epochs since the best one (the early-stopping patience counter).</summary>
    public int EpochsSinceBest => Selection.SinceBest;

    /// <summary>
    /// The settings that shape the training trajectory (dimension, optimiser, learning rate, batch size, sampler,
    /// adversarial settings, seed, ...), as invariant text. Resuming with other values is an error: the result would
    /// match neither run. The number of epochs may differ (training further is what resuming is for).
    /// </summary>
    public IReadOnlyDictionary<string, string> Settings { get; }

    internal static TrainingCheckpoint Capture(torch.nn.Module module, InteractionData train, int epoch, ModelSelectionState? selection = null,
        IReadOnlyDictionary<string, string>? settings = null)
    {
        using var moduleStream = new MemoryStream();
        using (var w = new BinaryWriter(moduleStream, System.Text.Encoding.UTF8, leaveOpen: true)) module.save(w);
        return new TrainingCheckpoint(epoch, train.Users, train.Items, moduleStream.ToArray(), selection ?? ModelSelectionState.None,
            settings ?? new Dictionary<string, string>());
    }

    /// <summary>Throws when <paramref name="current"/> differs from the <see cref="Settings"/> the checkpoint was trained with.</summary>
    internal void CheckSettings(IReadOnlyDictionary<string, string> current)
    {
        var differences = Settings.Keys.Union(current.Keys).Order(StringComparer.Ordinal)
            .Where(k => Settings.GetValueOrDefault(k) != current.GetValueOrDefault(k))
            .Select(k => $"{k} {Settings.GetValueOrDefault(k) ?? "(unset)"} in the checkpoint, {current.GetValueOrDefault(k) ?? "(unset)"} now")
            .ToList();
        if (differences.Count > 0)
            throw new InvalidOperationException(
                $"The checkpoint was trained with other settings ({string.Join("; ", differences)}). Resume with the same options and seed.");
    }

    internal void Restore(torch.nn.Module module, InteractionData train)
    {
        if (!Users.Equals(train.Users) || !Items.Equals(train.Items))
            throw new InvalidOperationException(
                $"The checkpoint was made on other data ({Users.Count} users, {Items.Count} items; this data has {train.Users.Count} users, {train.Items.Count} items). Resume with the same training data.");
        using var r = new BinaryReader(new MemoryStream(_moduleState));
        try
        {
            module.load(r);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or IOException or ExternalException)
        {
            // TorchSharp's message ("Mismatched tensor shape while loading...") does not say which setting differs.
            throw new InvalidOperationException(
                "The checkpoint does not fit this model: resume with the EmbeddingDimension and Optimizer it was trained with " +
                $"(TorchSharp: {e.Message.Split('\n')[0]})", e);
        }
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
        w.Write(Selection.BestMetric);
        w.Write(Selection.BestEpoch);
        w.Write(Selection.SinceBest);
        if (Selection.Best is null) w.Write(0);
        else
        {
            using var model = new MemoryStream();
            Selection.Best.Save(model);
            w.Write(checked((int)model.Length));
            w.Write(model.GetBuffer(), 0, (int)model.Length);
        }
        w.Write(Settings.Count);
        foreach (var (key, value) in Settings.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            w.Write(key);
            w.Write(value);
        }
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
            if (epoch < 0) throw new InvalidDataException($"'{name}' is corrupt (epoch {epoch}).");
            var users = IdVocabulary.ReadFrom(r);
            var items = IdVocabulary.ReadFrom(r);
            var state = ReadBlock(r, name);
            double bestMetric = r.ReadDouble();
            int bestEpoch = r.ReadInt32();
            int sinceBest = r.ReadInt32();
            var bestBytes = ReadBlock(r, name);
            var best = bestBytes.Length == 0 ? null : RecommenderModelFile.Load(new MemoryStream(bestBytes), $"'{name}' (best model)");
            if (bestEpoch < 0 || bestEpoch > epoch || sinceBest < 0) throw new InvalidDataException($"'{name}' is corrupt (model-selection state).");
            int settingCount = r.ReadInt32();
            if (settingCount < 0 || settingCount > 1024) throw new InvalidDataException($"'{name}' is corrupt (settings).");
            var settings = new Dictionary<string, string>(StringComparer.Ordinal);
            for (int k = 0; k < settingCount; k++) settings[r.ReadString()] = r.ReadString();
            return new TrainingCheckpoint(epoch, users, items, state, new ModelSelectionState(best, bestMetric, bestEpoch, sinceBest), settings);
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException($"'{name}' is truncated.", e);
        }
        catch (InvalidDataException e) when (!e.Message.Contains(name, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"'{name}' is truncated or corrupt: {e.Message}", e);
        }
        catch (Exception e) when (e is ArgumentException or OverflowException or FormatException or (IOException and not FileNotFoundException))
        {
            throw new InvalidDataException($"'{name}' is corrupt: {e.Message}", e);
        }
    }

    private static byte[] ReadBlock(BinaryReader r, string name)
    {
        int length = r.ReadInt32();
        if (length < 0 || length > r.BaseStream.Length - r.BaseStream.Position) throw new InvalidDataException($"'{name}' is truncated or corrupt.");
        return r.ReadBytes(length);
    }
}

/// <summary>What model selection has seen so far: the best validated model, its metric and epoch, and the patience counter.</summary>
internal sealed record ModelSelectionState(IRecommenderModel? Best, double BestMetric, int BestEpoch, int SinceBest)
{
    public static readonly ModelSelectionState None = new(null, double.NegativeInfinity, 0, 0);
}
