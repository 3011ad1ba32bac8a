namespace MLNet.Adversarial.Models;

/// <summary>
/// Reads any model written by <see cref="IRecommenderModel.Save"/>. Each model format starts with its own magic
/// bytes; a format registers its reader here so callers (the CLI, checkpoints) need not know the model's kind.
/// </summary>
public static class RecommenderModelFile
{
    private static readonly List<(byte[] Magic, Func<Stream, string, IRecommenderModel> Load)> Formats =
    [
        (FactorizationModel.FileMagic, (s, n) => FactorizationModel.Load(s, n)),
        (HybridFactorizationModel.FileMagic, (s, n) => HybridFactorizationModel.Load(s, n)),
        (CfganModel.FileMagic, (s, n) => CfganModel.Load(s, n)),
    ];

    /// <summary>Registers the reader of a model format identified by <paramref name="magic"/> (its first bytes).</summary>
    internal static void Register(byte[] magic, Func<Stream, string, IRecommenderModel> load)
    {
        lock (Formats)
            if (!Formats.Any(f => f.Magic.AsSpan().SequenceEqual(magic))) Formats.Add((magic, load));
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
        (byte[] Magic, Func<Stream, string, IRecommenderModel> Load)[] formats;
        lock (Formats) formats = [.. Formats];
        var head = new byte[formats.Max(f => f.Magic.Length)];
        int read = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        stream.Position = start;
        foreach (var (magic, load) in formats)
            if (read >= magic.Length && head.AsSpan(0, magic.Length).SequenceEqual(magic)) return load(stream, name);
        throw new InvalidDataException($"{name} is not a model file written by this library (unknown header).");
    }
}
