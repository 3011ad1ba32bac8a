// MSBuild task, compiled by RoslynCodeTaskFactory as one file after ElfSymbolVersions.cs (see
// TorchSharpNative.targets), so it has no using directives of its own. The ELF logic lives in ElfSymbolVersions.cs,
// which the library also compiles for its run-time fallback.
//
// The task only touches copies in build/publish output folders, only when the local libstdc++ really lacks a
// version, and rewrites the file through a temporary file and a rename so that a hard-linked NuGet cache entry
// is never modified. Running it again is a no-op.
public sealed class WeakenMissingElfVersions : Microsoft.Build.Utilities.Task
{
    /// <summary>The ELF files to patch (missing files are ignored).</summary>
    [Microsoft.Build.Framework.Required]
    public Microsoft.Build.Framework.ITaskItem[] Files { get; set; } = System.Array.Empty<Microsoft.Build.Framework.ITaskItem>();

    /// <summary>The library whose versions are checked, e.g. libstdc++.so.6.</summary>
    public string Dependency { get; set; } = MLNet.Adversarial.Runtime.ElfSymbolVersions.LibStdCxx;

    /// <summary>Folders searched for <see cref="Dependency"/>; empty: the usual system folders.</summary>
    public string SearchPaths { get; set; } = "";

    public override bool Execute()
    {
        var dirs = SearchPaths.Split(new[] { ';' }, System.StringSplitOptions.RemoveEmptyEntries);
        var system = MLNet.Adversarial.Runtime.ElfSymbolVersions.FindLibrary(Dependency,
            dirs.Length > 0 ? dirs : MLNet.Adversarial.Runtime.ElfSymbolVersions.DefaultSearchPaths);
        if (system is null)
        {
            Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Low, $"{Dependency} not found; nothing to patch.");
            return true;
        }
        foreach (var item in Files)
        {
            var path = item.ItemSpec;
            if (!System.IO.File.Exists(path)) continue;
            var weakened = MLNet.Adversarial.Runtime.ElfSymbolVersions.WeakenMissingInFile(path, system, Dependency);
            if (weakened.Count == 0)
                Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Low, $"{path}: every {Dependency} version it needs is present.");
            else
                Log.LogMessage(Microsoft.Build.Framework.MessageImportance.High,
                    $"{System.IO.Path.GetFileName(path)}: marked {string.Join(", ", weakened)} weak ({Dependency} here lacks them).");
        }
        return true;
    }
}
