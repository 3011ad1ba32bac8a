using System.Text.RegularExpressions;

namespace MLNet.Adversarial.Tests.Architecture;

/// <summary>
/// The library's folders form layers (docs/architecture.md): a folder may use only the folders listed for it, so no
/// folder cycle can come back. The scan reads the sources: <c>using MLNet.Adversarial.X</c> and any
/// <c>MLNet.Adversarial.X.</c> name, <c>X.Type</c> where Type is declared in folder X, compiler-checked <c>cref</c>s,
/// and the root namespace's types (visible everywhere without a using).
/// </summary>
[TestClass]
public sealed class FolderDependencyTests
{
    private const string RootFolder = "(root)";

    /// <summary>One row per folder: what it may use, and whether the row is enforced yet.</summary>
    private sealed record Layer(string Folder, string[] MayUse, bool Enforced = true, string? Pending = null);

    // Lowest first. A row may name a subfolder ("Trainers/Irgan"): its files keep the namespace of the top folder, so
    // the scan attributes a reference to it by the types declared there. The trainer families use the shared trainer
    // code at the top of Trainers and not each other, except IRGAN, which pre-trains its generator with BPR.
    private static readonly string[] BelowTrainers = ["Data", "Runtime", "Models", "Onnx", "Text", "Evaluation", "Robustness", "Training", "Serving"];
    private static readonly Layer[] Layers =
    [
        new("Data", []),
        new("Runtime", []),
        new("Models", ["Data"]),
        new("Onnx", ["Data", "Models"]),
        new("Text", ["Data", "Models", "Onnx"]),
        new("Evaluation", ["Data", "Models", "Onnx", "Text"]),
        new("Robustness", ["Data", "Models", "Evaluation"]),
        new("Training", ["Data", "Models"]),
        new("Serving", ["Data", "Models", "Onnx", "Text", "Training"]),
        new("Trainers", BelowTrainers),
        new("Trainers/Factorization", [.. BelowTrainers, "Trainers"]),
        new("Trainers/Irgan", [.. BelowTrainers, "Trainers", "Trainers/Factorization"]),
        new("Trainers/Cfgan", [.. BelowTrainers, "Trainers"]),
        new("Tuning", [.. BelowTrainers, "Trainers", "Trainers/Factorization", "Trainers/Irgan", "Trainers/Cfgan"]),
        new(RootFolder, [.. BelowTrainers, "Trainers", "Trainers/Factorization", "Trainers/Irgan", "Trainers/Cfgan", "Tuning"]),
    ];

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public void TheAllowedDependenciesFormLayersWithoutACycle()
    {
        var seen = new HashSet<string>();
        foreach (var layer in Layers)
        {
            foreach (var used in layer.MayUse)
                Assert.Contains(used, seen, $"{layer.Folder} may use {used}, which is not below it in the table: that would allow a cycle");
            seen.Add(layer.Folder);
        }
    }

    [TestMethod]
    public void EveryFolderUsesOnlyTheFoldersBelowIt()
    {
        var graph = Scan();
        var violations = new List<string>();
        foreach (var (folder, uses) in graph.OrderBy(g => g.Key))
        {
            var layer = Layers.SingleOrDefault(l => l.Folder == folder);
            Assert.IsNotNull(layer, $"src/MLNet.Adversarial/{folder} is not in the layer table of {nameof(FolderDependencyTests)}: add a row saying what it may use (docs/architecture.md)");
            TestContext.WriteLine($"{folder} -> {string.Join(", ", uses.Keys.Order())}");
            foreach (var (used, where) in uses.OrderBy(u => u.Key))
            {
                if (layer.MayUse.Contains(used)) continue;
                var line = $"{folder} -> {used} ({string.Join(", ", where.Order().Take(3))})";
                if (layer.Enforced) violations.Add(line);
                else TestContext.WriteLine($"  not yet enforced: {line}; pending: {layer.Pending}");
            }
        }
        Assert.IsEmpty(violations, "folder dependencies against the layering:\n" + string.Join("\n", violations));
    }

    [TestMethod]
    public void TheScanSeesTheDependenciesItChecks()
    {
        // Guards the scanner itself: dependencies that exist by design must be found, or the test above would pass vacuously.
        var graph = Scan();
        Assert.IsTrue(graph["Onnx"].ContainsKey("Models"), "Onnx exports models");
        Assert.IsTrue(graph["Evaluation"].ContainsKey("Text"), "cold-start evaluation reads item text");
        Assert.IsTrue(graph["Trainers"].ContainsKey("Serving"), "trainers return the serving transformer");
        Assert.IsTrue(graph["Trainers/Irgan"].ContainsKey("Trainers/Factorization"), "IRGAN pre-trains its generator with BPR");
        Assert.IsTrue(graph["Trainers/Cfgan"].ContainsKey("Trainers"), "CFGAN derives from the shared trainer");
        Assert.IsTrue(graph[RootFolder].ContainsKey("Trainers/Cfgan"), "the catalogue creates trainers");
    }

    /// <summary>folder (or subfolder row) → used folder → the files that use it.</summary>
    private static Dictionary<string, Dictionary<string, HashSet<string>>> Scan()
    {
        var src = Path.Combine(RepositoryRoot(), "src", "MLNet.Adversarial");
        var files = Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories)
            .Select(path => (Path: path, Relative: Path.GetRelativePath(src, path).Replace('\\', '/')))
            .Where(f => !f.Relative.StartsWith("bin/", StringComparison.Ordinal) && !f.Relative.StartsWith("obj/", StringComparison.Ordinal))
            .Select(f => (f.Relative, Folder: FolderOf(f.Relative), Unit: UnitOf(f.Relative), Text: File.ReadAllText(f.Path)))
            .ToList();
        var folders = files.Select(f => f.Folder).Where(f => f != RootFolder).ToHashSet();

        // Type names declared in one folder only (a name declared in two is ambiguous and skipped).
        var declaredIn = files
            .SelectMany(f => TypeDeclaration.Matches(Code(f.Text)).Select(m => (Type: m.Groups[1].Value, f.Folder)))
            .Distinct()
            .GroupBy(d => d.Type)
            .Where(g => g.Count() == 1)
            .ToDictionary(g => g.Key, g => g.Single().Folder);
        var rootTypes = declaredIn.Where(d => d.Value == RootFolder).Select(d => d.Key).ToArray();

        // The rows of a folder split into subfolder rows, and the type names declared in one of them only.
        var splitFolders = Layers.Where(l => l.Folder.Contains('/')).Select(l => TopFolderOf(l.Folder)).ToHashSet();
        var unitTypes = files.Where(f => splitFolders.Contains(f.Folder))
            .SelectMany(f => TypeDeclaration.Matches(Code(f.Text)).Select(m => (Type: m.Groups[1].Value, f.Unit)))
            .Distinct()
            .GroupBy(d => d.Type)
            .Where(g => g.Count() == 1)
            .GroupBy(g => g.Single().Unit, g => g.Key)
            .ToDictionary(g => g.Key, g => g.ToArray());

        var graph = new Dictionary<string, Dictionary<string, HashSet<string>>>();
        foreach (var (relative, folder, unit, text) in files)
        {
            string expected = folder == RootFolder ? "MLNet.Adversarial;" : $"MLNet.Adversarial.{folder}";
            StringAssert.Contains(text, $"namespace {expected}", $"{relative}: the namespace must follow the folder, or the scan cannot attribute its references");
            var uses = graph.TryGetValue(unit, out var u) ? u : graph[unit] = [];
            var namespacesUsed = new HashSet<string>();
            var code = Code(text);
            var references = Crefs.Matches(text).Select(m => m.Groups[1].Value).Append(code);
            foreach (var piece in references)
            {
                foreach (Match m in Qualified.Matches(piece))
                    Add(m.Groups[1].Value);
                foreach (Match m in FolderDotType.Matches(piece))
                    if (folders.Contains(m.Groups[1].Value) && declaredIn.GetValueOrDefault(m.Groups[2].Value) == m.Groups[1].Value) Add(m.Groups[1].Value);
            }
            if (folder != RootFolder && rootTypes.Any(t => Regex.IsMatch(code, $@"\b{t}\b"))) Add(RootFolder);
            // A subfolder row shares its folder's namespace: a file in that namespace, or one that uses it, uses the
            // row whose types it names; one that uses the namespace but names none of them counts as using the top row.
            var codeAndCrefs = string.Join("\n", references);
            var rowsNamed = unitTypes
                .Where(r => r.Key != unit && (TopFolderOf(r.Key) == folder || namespacesUsed.Contains(TopFolderOf(r.Key))) && r.Value.Any(t => Regex.IsMatch(codeAndCrefs, $@"\b{t}\b")))
                .Select(r => r.Key).ToList();
            foreach (var row in rowsNamed) Record(row);
            foreach (var split in namespacesUsed.Where(splitFolders.Contains).Where(n => !rowsNamed.Any(r => TopFolderOf(r) == n)))
                Record(split);

            void Add(string used)
            {
                if (used == folder || !(folders.Contains(used) || used == RootFolder)) return;
                namespacesUsed.Add(used);
                // A reference to a split folder's namespace alone says nothing about which of its rows is used.
                if (!splitFolders.Contains(used)) Record(used);
            }

            void Record(string used) => (uses.TryGetValue(used, out var where) ? where : uses[used] = []).Add(relative);
        }
        return graph;
    }

    private static readonly Regex TypeDeclaration = new(@"\b(?:class|struct|interface|enum|record)\s+([A-Z]\w*)");
    private static readonly Regex Qualified = new(@"\bMLNet\.Adversarial\.([A-Z]\w*)");
    private static readonly Regex FolderDotType = new(@"(?<![\w.])([A-Z]\w*)\.([A-Z]\w*)");
    private static readonly Regex Crefs = new("cref=\"([^\"]+)\"");
    private static readonly Regex CommentsAndStrings = new(@"//[^\n]*|/\*.*?\*/|@""(?:[^""]|"""")*""|""(?:\\.|[^""\\\n])*""", RegexOptions.Singleline);

    /// <summary>The source without comments and string literals (crefs are read separately).</summary>
    private static string Code(string text) => CommentsAndStrings.Replace(text, " ");

    private static string FolderOf(string relative) => relative.Contains('/') ? relative[..relative.IndexOf('/')] : RootFolder;

    /// <summary>The top folder of a row ("Trainers" for "Trainers/Irgan").</summary>
    private static string TopFolderOf(string row) => row.Contains('/') ? row[..row.IndexOf('/')] : row;

    /// <summary>The row a file belongs to: the deepest row whose folder holds it (a subfolder row, else its top folder).</summary>
    private static string UnitOf(string relative) =>
        Layers.Select(l => l.Folder).Where(f => f.Contains('/') && relative.StartsWith(f + "/", StringComparison.Ordinal))
            .OrderByDescending(f => f.Length).FirstOrDefault() ?? FolderOf(relative);

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "MLNet.Adversarial.sln"))) return dir.FullName;
        throw new InvalidOperationException($"MLNet.Adversarial.sln not found above {AppContext.BaseDirectory}");
    }
}
