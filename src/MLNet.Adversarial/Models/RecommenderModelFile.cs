namespace MLNet.Adversarial.Models;

/// <summary>
/// Reads any model written by <see cref="IRecommenderModel.Save"/> (<c>model.bin</c>). Each model format starts with its
/// own magic bytes and a little-endian int32 format version; a format registers its reader here so callers (the CLI,
/// checkpoints) need not know the model's kind. Every version written so far is read:
/// <list type="table">
/// <listheader><term>kind (magic)</term><description>versions</description></listheader>
/// <item><term>factorisation (<c>MLNAFM</c>)</term><description>1: vocabularies, k, user factors, item factors, item biases.</description></item>
/// <item><term>hybrid (<c>MLNAHY</c>)</term><description>1: a factorisation model, the item text projection, an optional user text projection.</description></item>
/// <item><term>CFGAN (<c>MLNACG</c>)</term><description>1: vocabularies, purchases, [orientation byte: absent in the first files], sigmoid flag, layers.
/// 2 (written now): the orientation byte always present.</description></item>
/// </list>
/// A file of a newer version than this library knows is refused with a message saying so, never misread.
/// </summary>
public static class RecommenderModelFile
{
    private static readonly List<(byte[] Magic, string Kind, Func<Stream, string, IRecommenderModel> Load)> Formats =
    [
        (FactorizationModel.FileMagic, "factorisation", (s, n) => FactorizationModel.Load(s, n)),
        (HybridFactorizationModel.FileMagic, "hybrid", (s, n) => HybridFactorizationModel.Load(s, n)),
        (CfganModel.FileMagic, "CFGAN", (s, n) => CfganModel.Load(s, n)),
    ];

    /// <summary>The kind and format version of a saved model, read from its header.</summary>
    /// <param name="Kind">The model kind: <c>factorisation</c>, <c>hybrid</c> or <c>CFGAN</c>.</param>
    /// <param name="Version">The format version the file was written in.</param>
    public sealed record Header(string Kind, int Version);

    /// <summary>Reads the kind and format version of a saved model without loading it; the stream's position is kept when it can seek.</summary>
    /// <exception cref="InvalidDataException">The stream is not a model file of a known kind, or ends inside the header.</exception>
    public static Header ReadHeader(Stream stream, string name = "model")
    {
        ArgumentNullException.ThrowIfNull(stream);
        (byte[] Magic, string Kind, Func<Stream, string, IRecommenderModel> Load)[] formats;
        lock (Formats) formats = [.. Formats];
        var head = new byte[formats.Max(f => f.Magic.Length) + sizeof(int)];
        long start = stream.CanSeek ? stream.Position : 0;
        int read = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        if (stream.CanSeek) stream.Position = start;
        foreach (var (magic, kind, _) in formats)
            if (read >= magic.Length && head.AsSpan(0, magic.Length).SequenceEqual(magic))
                return read >= magic.Length + sizeof(int)
                    ? new Header(kind, BitConverter.ToInt32(head, magic.Length))
                    : throw new InvalidDataException($"{name} is truncated (it ends inside its header).");
        throw new InvalidDataException($"{name} is not a model file written by this library (unknown header).");
    }

    /// <summary>Refuses a format version outside 1..<paramref name="current"/>, naming the file and what this library reads.</summary>
    internal static void CheckVersion(int version, int current, string kind, string name)
    {
        if (version > current)
            throw new InvalidDataException($"{name} is a {kind} model of format version {version}, newer than this library reads (up to {current}): update MLNet.Adversarial.");
        if (version < 1) throw new InvalidDataException($"{name} has an invalid {kind} format version {version}.");
    }

    /// <summary>
    /// The one reading frame of every model format: checks the magic bytes and the version, runs
    /// <paramref name="body"/> on the rest (given the version), and turns a truncated or corrupt stream into an
    /// <see cref="InvalidDataException"/> naming <paramref name="name"/>.
    /// </summary>
    internal static T Read<T>(Stream stream, string name, byte[] magic, string kind, int currentVersion, Func<BinaryReader, int, T> body)
    {
        ArgumentNullException.ThrowIfNull(stream);
        try
        {
            using var r = new BinaryReader(stream, System.Text.Encoding.UTF8, leaveOpen: true);
            if (!r.ReadBytes(magic.Length).AsSpan().SequenceEqual(magic)) throw new InvalidDataException($"{name} is not a {kind} model file.");
            int version = r.ReadInt32();
            CheckVersion(version, currentVersion, kind, name);
            return body(r, version);
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException($"{name} is truncated.", e);
        }
        catch (InvalidDataException e) when (!e.Message.Contains(name, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{name} is truncated or corrupt: {e.Message}", e);
        }
        catch (Exception e) when (e is OverflowException or ArgumentException)
        {
            throw new InvalidDataException($"{name} is corrupt: {e.Message}", e);
        }
    }

    /// <summary>Registers the reader of a model format identified by <paramref name="magic"/> (its first bytes).</summary>
    internal static void Register(byte[] magic, string kind, Func<Stream, string, IRecommenderModel> load)
    {
        lock (Formats)
            if (!Formats.Any(f => f.Magic.AsSpan().SequenceEqual(magic))) Formats.Add((magic, kind, load));
    }

    /// <summary>Reads a saved model of any registered kind; <paramref name="name"/> names the source in errors.</summary>
    /// <exception cref="InvalidDataException">The stream is not a model file of a known kind, or is truncated or corrupt.</exception>
    public static IRecommenderModel Load(Stream stream, string name = "model")
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanSeek)
        {
            var copy = new MemoryStream();
            stream.CopyTo(copy);
            copy.Position = 0;
            stream = copy;
        }
        long start = stream.Position;
        (byte[] Magic, string Kind, Func<Stream, string, IRecommenderModel> Load)[] formats;
        lock (Formats) formats = [.. Formats];
        var head = new byte[formats.Max(f => f.Magic.Length)];
        int read = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        stream.Position = start;
        foreach (var (magic, _, load) in formats)
            if (read >= magic.Length && head.AsSpan(0, magic.Length).SequenceEqual(magic)) return load(stream, name);
        throw new InvalidDataException($"{name} is not a model file written by this library (unknown header).");
    }
}
