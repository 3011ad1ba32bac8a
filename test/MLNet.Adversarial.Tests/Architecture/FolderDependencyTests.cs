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

    // Lowest first. Serving, Training and Trainers are being reworked by the training-core change (issue 12): their rows
    // are the target, reported but not enforced until that lands (Serving still names trainer types today).
    private static readonly Layer[] Layers =
    [
        new("Data", []),
        new("Runtime", []),
        new("Models", ["Data"]),
        new("Onnx", ["Data", "Models"]),
        new("Text", ["Data", "Models", "Onnx"]),
        new("Evaluation", ["Data", "Models", "Onnx", "Text"]),
        new("Serving", ["Data", "Models", "Onnx", "Text"], Enforced: false, Pending: "Serving -> Trainers (RecommenderTransformer, ScoreColumnShape)"),
        new("Training", ["Data", "Models", "Onnx", "Text", "Evaluation", "Serving", "Runtime"], Enforced: false, Pending: "the shared training core, not yet split out"),
        new("Trainers", ["Data", "Models", "Onnx", "Text", "Evaluation", "Serving", "Training", "Runtime"], Enforced: false, Pending: "being reorganised per trainer family"),
        new("Tuning", ["Data", "Models", "Onnx", "Text", "Evaluation", "Serving", "Training", "Trainers", "Runtime"]),
        new(RootFolder, ["Data", "Runtime", "Models", "Onnx", "Text", "Evaluation", "Serving", "Training", "Trainers", "Tuning"]),
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
        Assert.IsTrue(graph[RootFolder].ContainsKey("Trainers"), "the catalogue creates trainers");
    }

    /// <summary>folder → used folder → the files that use it.</summary>
    private static Dictionary<string, Dictionary<string, HashSet<string>>> Scan()
    {
        var src = Path.Combine(RepositoryRoot(), "src", "MLNet.Adversarial");
        var files = Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories)
            .Select(path => (Path: path, Relative: Path.GetRelativePath(src, path).Replace('\\', '/')))
            .Where(f => !f.Relative.StartsWith("bin/", StringComparison.Ordinal) && !f.Relative.StartsWith("obj/", StringComparison.Ordinal))
            .Select(f => (f.Relative, Folder: FolderOf(f.Relative), Text: File.ReadAllText(f.Path)))
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

        var graph = new Dictionary<string, Dictionary<string, HashSet<string>>>();
        foreach (var (relative, folder, text) in files)
        {
            string expected = folder == RootFolder ? "MLNet.Adversarial;" : $"MLNet.Adversarial.{folder}";
            StringAssert.Contains(text, $"namespace {expected}", $"{relative}: the namespace must follow the folder, or the scan cannot attribute its references");
            var uses = graph.TryGetValue(folder, out var u) ? u : graph[folder] = [];
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

            void Add(string used)
            {
                if (used == folder || !(folders.Contains(used) || used == RootFolder)) return;
                (uses.TryGetValue(used, out var where) ? where : uses[used] = []).Add(relative);
            }
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

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "MLNet.Adversarial.sln"))) return dir.FullName;
        throw new InvalidOperationException($"MLNet.Adversarial.sln not found above {AppContext.BaseDirectory}");
    }
}
