using System.Security.Cryptography;
using MLNet.Adversarial.Runtime;

namespace MLNet.Adversarial.Tests.Runtime;

/// <summary>
/// The ELF patch shared by the build step and <see cref="TorchSharpNativeLoader"/>, run on a copy of the
/// unpatched libLibTorchSharp.so from the NuGet cache (which must stay byte-for-byte as it was).
/// </summary>
[TestClass]
public sealed class ElfSymbolVersionsTests
{
    public TestContext TestContext { get; set; } = null!;

    private static string OriginalBridge()
    {
        if (!OperatingSystem.IsLinux()) Assert.Inconclusive("libLibTorchSharp.so is a Linux library.");
        var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES");
        if (string.IsNullOrEmpty(packages))
            packages = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var version = typeof(TorchSharp.torch).Assembly.GetName().Version!;
        var path = Path.Combine(packages, "torchsharp", $"{version.Major}.{version.Minor}.{version.Build}", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        if (!File.Exists(path)) Assert.Inconclusive($"{path} is not in the NuGet cache.");
        return path;
    }

    [TestMethod]
    public void WeakensExactlyTheVersionsTheGivenLibStdCxxLacks_OnACopy()
    {
        var original = OriginalBridge();
        var originalHash = SHA256.HashData(File.ReadAllBytes(original));
        var bytes = File.ReadAllBytes(original);

        var needs = ElfSymbolVersions.StrongNeeds(bytes, ElfSymbolVersions.LibStdCxx);
        CollectionAssert.Contains(needs.ToList(), "GLIBCXX_3.4.32");
        CollectionAssert.Contains(needs.ToList(), "GLIBCXX_3.4.30");

        // A libstdc++ that stops at GLIBCXX_3.4.30, as on Debian 12: only the newer needs become weak.
        var provided = needs.Where(v => v != "GLIBCXX_3.4.32" && v != "GLIBCXX_3.4.31").ToHashSet(StringComparer.Ordinal);
        var weakened = ElfSymbolVersions.WeakenMissing(bytes, ElfSymbolVersions.LibStdCxx, provided);
        CollectionAssert.AreEquivalent(needs.Except(provided).ToList(), weakened.ToList());
        CollectionAssert.AreEquivalent(provided.ToList(), ElfSymbolVersions.StrongNeeds(bytes, ElfSymbolVersions.LibStdCxx).ToList());
        Assert.AreEqual(0, ElfSymbolVersions.WeakenMissing(bytes, ElfSymbolVersions.LibStdCxx, provided).Count, "a second run changes nothing");

        // Only flag bytes changed: same length, and the differing bytes are few (one flags word per version).
        var before = File.ReadAllBytes(original);
        Assert.AreEqual(before.Length, bytes.Length);
        Assert.IsTrue(before.Zip(bytes).Count(p => p.First != p.Second) <= weakened.Count * 2);
        CollectionAssert.AreEqual(originalHash, SHA256.HashData(File.ReadAllBytes(original)), "the NuGet cache file was modified");
    }

    [TestMethod]
    public void WeakenMissingInFile_PatchesTheCopyThroughARename_AndLeavesTheSourceAlone()
    {
        var original = OriginalBridge();
        var dir = Path.Combine(TestContext.TestRunDirectory ?? Path.GetTempPath(), "elf-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            var source = Path.Combine(dir, "source.so");
            File.Copy(original, source);
            var copy = Path.Combine(dir, "libLibTorchSharp.so");
            File.Copy(source, copy);
            var sourceHash = SHA256.HashData(File.ReadAllBytes(source));

            // A fake libstdc++ defining nothing the bridge needs: the system's library, read as the dependency, is
            // replaced by the bridge itself (it defines no GLIBCXX versions), so every libstdc++ need is weakened.
            var needs = ElfSymbolVersions.StrongNeeds(File.ReadAllBytes(copy), ElfSymbolVersions.LibStdCxx);
            var weakened = ElfSymbolVersions.WeakenMissingInFile(copy, source);
            CollectionAssert.AreEquivalent(needs.ToList(), weakened.ToList());
            Assert.AreEqual(0, ElfSymbolVersions.StrongNeeds(File.ReadAllBytes(copy), ElfSymbolVersions.LibStdCxx).Count);
            Assert.AreEqual(0, ElfSymbolVersions.WeakenMissingInFile(copy, source).Count, "idempotent");
            CollectionAssert.AreEqual(sourceHash, SHA256.HashData(File.ReadAllBytes(source)));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestMethod]
    public void TheSystemLibStdCxxDefinesVersions_AndTheLoaderLeavesAnAlreadyPatchedTestHostAlone()
    {
        if (!OperatingSystem.IsLinux()) Assert.Inconclusive("Linux only.");
        var libstdcxx = ElfSymbolVersions.FindLibrary(ElfSymbolVersions.LibStdCxx, ElfSymbolVersions.DefaultSearchPaths);
        if (libstdcxx is null) Assert.Inconclusive("no libstdc++ in the usual folders");
        var defined = ElfSymbolVersions.DefinedVersions(File.ReadAllBytes(libstdcxx));
        CollectionAssert.Contains(defined.ToList(), "GLIBCXX_3.4");

        // The test host's copy was patched by the build step (or the system is new enough): no fallback needed.
        Assert.IsFalse(TorchSharpNativeLoader.EnsureLoaded(), string.Join("\n", TorchSharpNativeLoader.Trace));
        Assert.IsNull(TorchSharpNativeLoader.PatchedLibraryPath);
    }

    [TestMethod]
    public void RejectsFilesThatAreNotElf64LittleEndian()
    {
        Assert.ThrowsExactly<InvalidDataException>(() => ElfSymbolVersions.DefinedVersions(new byte[100]));
        var header = new byte[100];
        header[0] = 0x7f; header[1] = (byte)'E'; header[2] = (byte)'L'; header[3] = (byte)'F'; header[4] = 1; header[5] = 1;
        Assert.ThrowsExactly<InvalidDataException>(() => ElfSymbolVersions.DefinedVersions(header));
    }
}
