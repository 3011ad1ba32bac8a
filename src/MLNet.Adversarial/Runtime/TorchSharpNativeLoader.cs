using System.Reflection;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace MLNet.Adversarial.Runtime;

/// <summary>
/// Run-time fallback for loading TorchSharp's native bridge on Linux distributions whose libstdc++ predates the
/// GLIBCXX versions <c>libLibTorchSharp.so</c> asks for (Debian 12, Ubuntu 22.04; see <c>build/ElfSymbolVersions.cs</c>).
/// </summary>
/// <remarks>
/// <para>
/// Applications built with the package get a patched copy in their output folder from the build step
/// (<c>TorchSharpNative.targets</c>). Hosts that load native files straight from the NuGet cache — .NET Interactive
/// notebooks, <c>dotnet repl</c>, scripts — get no build step, and the cache must not be modified. For them this
/// class, called once before any TorchSharp use, copies the library into a per-user cache folder
/// (<c>$XDG_CACHE_HOME/mlnet-adversarial/native/&lt;hash&gt;/</c>, default <c>~/.cache/...</c>), marks the missing
/// version needs weak there, loads libtorch from its own package folder and then the patched copy. TorchSharp's
/// own probing then finds the already-loaded libraries by their sonames, and a <c>DllImport</c> resolver is
/// registered for the TorchSharp assembly as well.
/// </para>
/// <para>Nothing is done on other systems, when the library already loads, or when
/// <c>MLNET_ADV_DISABLE_NATIVE_FALLBACK=1</c> is set. Failures are recorded in <see cref="Trace"/>, never thrown:
/// TorchSharp then reports its own error.</para>
/// </remarks>
public static class TorchSharpNativeLoader
{
    /// <summary>Set to <c>1</c> to turn the fallback off.</summary>
    public const string DisableEnvironmentVariable = "MLNET_ADV_DISABLE_NATIVE_FALLBACK";

    private const string BridgeFile = "libLibTorchSharp.so";
    private static readonly object Gate = new();
    private static bool _done;
    private static IntPtr _bridge;
    private static readonly List<string> TraceLines = new();

    /// <summary>What the last <see cref="EnsureLoaded"/> did, one line per step (for diagnostics).</summary>
    public static IReadOnlyList<string> Trace
    {
        get { lock (Gate) return TraceLines.ToArray(); }
    }

    /// <summary>The patched copy that was loaded, or null when none was needed (or it failed).</summary>
    public static string? PatchedLibraryPath { get; private set; }

    /// <summary>
    /// Makes sure TorchSharp's native bridge can load; call before the first use of <c>TorchSharp.torch</c>.
    /// Idempotent and thread-safe; returns whether the fallback loaded a patched copy.
    /// </summary>
    public static bool EnsureLoaded()
    {
        lock (Gate)
        {
            if (_done) return PatchedLibraryPath is not null;
            _done = true;
            try
            {
                Run();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or BadImageFormatException or DllNotFoundException or InvalidOperationException)
            {
                Log($"fallback failed: {e.GetType().Name}: {e.Message}");
            }
            return PatchedLibraryPath is not null;
        }
    }

    private static void Log(string line) => TraceLines.Add(line);

    private static void Run()
    {
        if (!OperatingSystem.IsLinux()) { Log("not Linux: nothing to do"); return; }
        if (Environment.GetEnvironmentVariable(DisableEnvironmentVariable) == "1") { Log($"{DisableEnvironmentVariable}=1: skipped"); return; }

        var torchSharp = typeof(TorchSharp.torch).Assembly; // typeof does not run torch's static constructor
        var bridge = FindBridge(torchSharp);
        if (bridge is null) { Log($"{BridgeFile} not found near {torchSharp.Location}: left to TorchSharp"); return; }
        Log($"bridge: {bridge}");

        var libstdcxx = ElfSymbolVersions.FindLibrary(ElfSymbolVersions.LibStdCxx, ElfSymbolVersions.DefaultSearchPaths);
        if (libstdcxx is null) { Log($"{ElfSymbolVersions.LibStdCxx} not found: left to TorchSharp"); return; }
        var provided = new HashSet<string>(ElfSymbolVersions.DefinedVersions(File.ReadAllBytes(libstdcxx)), StringComparer.Ordinal);
        var bytes = File.ReadAllBytes(bridge);
        var missing = ElfSymbolVersions.WeakenMissing(bytes, ElfSymbolVersions.LibStdCxx, provided);
        if (missing.Count == 0) { Log($"{libstdcxx} has every version the bridge needs: nothing to do"); return; }
        Log($"{libstdcxx} lacks {string.Join(", ", missing)}");

        // libtorch itself (RUNPATH $ORIGIN) loads from its own folder; the copy's $ORIGIN is the cache folder, so
        // libtorch is loaded first and the copy's needs (libtorch.so, libc10.so, libtorch_cpu.so) bind by soname.
        var libtorch = FindLibTorch(torchSharp, bridge);
        if (libtorch is null) { Log("libtorch.so not found (is a libtorch-* package referenced?): left to TorchSharp"); return; }
        NativeLibrary.Load(libtorch);
        Log($"loaded {libtorch}");

        var copy = WritePatchedCopy(bytes);
        _bridge = NativeLibrary.Load(copy);
        PatchedLibraryPath = copy;
        Log($"loaded patched copy {copy}");

        try
        {
            NativeLibrary.SetDllImportResolver(torchSharp, Resolve);
            Log("registered the DllImport resolver for TorchSharp");
        }
        catch (InvalidOperationException)
        {
            Log("TorchSharp already has a DllImport resolver: relying on the preloaded soname");
        }
    }

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? path) =>
        (name is "LibTorchSharp" or BridgeFile) && _bridge != IntPtr.Zero ? _bridge : IntPtr.Zero;

    /// <summary>The bridge TorchSharp would load: beside TorchSharp.dll (an application's output), or in its NuGet package.</summary>
    private static string? FindBridge(Assembly torchSharp)
    {
        var dir = Path.GetDirectoryName(torchSharp.Location);
        if (string.IsNullOrEmpty(dir)) return null;
        var candidates = new List<string> { Path.Combine(dir, BridgeFile) };
        foreach (var rid in RuntimeIds())
            candidates.Add(Path.Combine(dir, "runtimes", rid, "native", BridgeFile));
        // NuGet layout: <packages>/torchsharp/<version>/lib/<tfm>/TorchSharp.dll and .../runtimes/<rid>/native/.
        var package = Directory.GetParent(dir)?.Parent?.FullName;
        if (package is not null)
            foreach (var rid in RuntimeIds())
                candidates.Add(Path.Combine(package, "runtimes", rid, "native", BridgeFile));
        return candidates.FirstOrDefault(File.Exists);
    }

    /// <summary>libtorch.so beside the bridge (an application's output) or in the newest libtorch-* NuGet package.</summary>
    private static string? FindLibTorch(Assembly torchSharp, string bridge)
    {
        var besideBridge = Path.Combine(Path.GetDirectoryName(bridge)!, "libtorch.so");
        if (File.Exists(besideBridge)) return besideBridge;
        var besideAssembly = Path.Combine(Path.GetDirectoryName(torchSharp.Location)!, "libtorch.so");
        if (File.Exists(besideAssembly)) return besideAssembly;

        // <packages>/torchsharp/<version>/lib/<tfm>/TorchSharp.dll -> <packages>
        var packages = Directory.GetParent(Path.GetDirectoryName(torchSharp.Location)!)?.Parent?.Parent?.Parent?.FullName;
        if (packages is null || !Directory.Exists(packages)) return null;
        var arch = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? "arm64" : "x64";
        var expected = ExpectedLibTorchVersion(packages, torchSharp);
        // CUDA builds first when TorchSharp is the CUDA flavour, else the CPU build; the version TorchSharp-cpu
        // depends on first, then the newest.
        var patterns = new[] { $"libtorch-cuda-*-linux-{arch}", $"libtorch-cpu-linux-{arch}" };
        foreach (var pattern in patterns)
        {
            var found = Directory.EnumerateDirectories(packages, pattern)
                .SelectMany(p => Directory.EnumerateDirectories(p))
                .Select(v => (Name: Path.GetFileName(v), Version: Version.TryParse(Path.GetFileName(v).Split('-')[0], out var ver) ? ver : new Version(0, 0),
                    Path: Path.Combine(v, "runtimes", $"linux-{arch}", "native", "libtorch.so")))
                .Where(c => File.Exists(c.Path))
                .OrderByDescending(c => c.Name == expected)
                .ThenByDescending(c => c.Version)
                .Select(c => c.Path)
                .FirstOrDefault();
            if (found is not null) return found;
        }
        return null;
    }

    /// <summary>The libtorch version the TorchSharp-cpu package of this TorchSharp depends on, from its nuspec; null if unknown.</summary>
    private static string? ExpectedLibTorchVersion(string packages, Assembly torchSharp)
    {
        var v = torchSharp.GetName().Version;
        if (v is null) return null;
        var nuspec = Path.Combine(packages, "torchsharp-cpu", $"{v.Major}.{v.Minor}.{v.Build}", "torchsharp-cpu.nuspec");
        if (!File.Exists(nuspec)) return null;
        var match = System.Text.RegularExpressions.Regex.Match(File.ReadAllText(nuspec), "id=\"libtorch-cpu\"\\s+version=\"([^\"]+)\"");
        return match.Success ? match.Groups[1].Value : null;
    }

    private static IEnumerable<string> RuntimeIds()
    {
        var arch = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? "arm64" : "x64";
        yield return $"linux-{arch}";
    }

    /// <summary>Writes the patched bytes to the per-user cache, named by their hash; an existing copy is reused.</summary>
    private static string WritePatchedCopy(byte[] patched)
    {
        var hash = Convert.ToHexString(SHA256.HashData(patched))[..16].ToLowerInvariant();
        var folder = Path.Combine(CacheRoot(), "native", hash);
        var path = Path.Combine(folder, BridgeFile);
        if (File.Exists(path) && new FileInfo(path).Length == patched.Length) return path;
        Directory.CreateDirectory(folder);
        var temp = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        File.WriteAllBytes(temp, patched);
        File.Move(temp, path, overwrite: true); // atomic: concurrent processes write identical bytes
        return path;
    }

    /// <summary>The per-user cache root: <c>$XDG_CACHE_HOME/mlnet-adversarial</c>, else <c>~/.cache/mlnet-adversarial</c>.</summary>
    internal static string CacheRoot()
    {
        var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        var root = !string.IsNullOrWhiteSpace(xdg) && Path.IsPathRooted(xdg)
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(root, "mlnet-adversarial");
    }
}
