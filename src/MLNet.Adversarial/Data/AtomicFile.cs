namespace MLNet.Adversarial.Data;

/// <summary>
/// Writes files so that a reader never sees a half-written one: a temporary file beside it
/// (<c>name.&lt;process id&gt;.tmp</c>), flushed to disk, then renamed over it. A process killed mid-write leaves
/// only its temporary file; the next write of the same file by another process removes such leftovers of processes
/// that are no longer running.
/// </summary>
public static class AtomicFile
{
    /// <summary>Writes <paramref name="path"/> through <paramref name="write"/> atomically.</summary>
    public static void Write(string path, Action<Stream> write)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var temp = full + "." + Environment.ProcessId + ".tmp";
        RemoveLeftovers(full);
        try
        {
            using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            try { File.Delete(temp); } catch (IOException) { }
            throw;
        }
    }

    /// <summary>Deletes <c>path.&lt;pid&gt;.tmp</c> files left by processes that no longer run (killed mid-write).</summary>
    private static void RemoveLeftovers(string full)
    {
        try
        {
            var name = Path.GetFileName(full);
            foreach (var leftover in Directory.EnumerateFiles(Path.GetDirectoryName(full)!, name + ".*.tmp"))
            {
                var pidText = Path.GetFileName(leftover)[(name.Length + 1)..^4];
                if (!int.TryParse(pidText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int pid)
                    || pid == Environment.ProcessId || IsRunning(pid))
                    continue;
                File.Delete(leftover);
            }
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>Writes <paramref name="bytes"/> to <paramref name="path"/> atomically.</summary>
    public static void WriteAllBytes(string path, ReadOnlyMemory<byte> bytes) => Write(path, s => s.Write(bytes.Span));
}
