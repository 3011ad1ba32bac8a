using System.Collections.Concurrent;

namespace MLNet.Adversarial.Onnx;

/// <summary>
/// The temporary ONNX file a stock <c>ApplyOnnxModel</c> transformer serves from. <c>ApplyOnnxModel</c> given a
/// stream copies it to a temporary file of its own that disposing the transformer does not delete (one leaked file
/// per fit), and ML.NET reads the file again when the chain is saved; so the file is written here, lives as long as
/// the chain, and is deleted by whoever disposes the chain. Files of chains never disposed are deleted when the
/// process exits normally.
/// </summary>
internal static class OnnxModelTempFile
{
    private static readonly ConcurrentDictionary<string, byte> Live = new();

    static OnnxModelTempFile() => AppDomain.CurrentDomain.ProcessExit += (_, _) =>
    {
        foreach (var path in Live.Keys) Delete(path);
    };

    /// <summary>Writes <paramref name="onnx"/> to a new file in the temporary folder and returns its path.</summary>
    public static string Write(byte[] onnx, string purpose)
    {
        var path = Path.Combine(Path.GetTempPath(), $"mlnet-adv-{purpose}-{Guid.NewGuid():N}.onnx");
        File.WriteAllBytes(path, onnx);
        Live[path] = 0;
        return path;
    }

    /// <summary>Deletes the file, ignoring a file already gone or still locked (the OS cleans the temporary folder).</summary>
    public static void Delete(string path)
    {
        Live.TryRemove(path, out _);
        try { File.Delete(path); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    /// <summary>Fits a chain over the file written from <paramref name="onnx"/>; the file is deleted if fitting fails.</summary>
    public static T FitWith<T>(byte[] onnx, string purpose, Func<string, T> fit, out string path)
    {
        path = Write(onnx, purpose);
        try
        {
            return fit(path);
        }
        catch
        {
            Delete(path);
            throw;
        }
    }
}
