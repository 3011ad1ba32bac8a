using MLNet.Adversarial.Models;
using static MLNet.Adversarial.Tests.Cli.InProcessCli;

namespace MLNet.Adversarial.Tests.Cli;

/// <summary><c>mlnet-adv update</c>: a complete new folder written atomically, the source untouched, new users and items servable, one-line errors.</summary>
[TestClass]
public sealed class UpdateCliTests
{
    private static string _root = "";
    private static string _model = "";

    [ClassInitialize]
    public static void Train(TestContext _)
    {
        _root = Path.Combine(Path.GetTempPath(), "mlnet-adv-update-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_root);
        string train = Path.Combine(_root, "old.tsv");
        var lines = new List<string>();
        var rng = new Random(5);
        for (int u = 1; u <= 60; u++)
            for (int k = 0; k < 12; k++) lines.Add($"{u}\t{rng.Next(1, 81)}\t5");
        File.WriteAllLines(train, lines);
        _model = Path.Combine(_root, "m1");
        var run = Run("train", "--train", train, "--trainer", "bpr", "--epochs", "3", "--dim", "8", "--topk", "5", "--out", _model);
        Assert.AreEqual(0, run.ExitCode, run.Error);
    }

    [ClassCleanup]
    public static void Cleanup()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    private static string NewRows(string name, params string[] rows)
    {
        string path = Path.Combine(_root, name);
        File.WriteAllLines(path, rows);
        return path;
    }

    private static Dictionary<string, byte[]> Snapshot(string dir) =>
        Directory.GetFiles(dir).ToDictionary(f => Path.GetFileName(f), File.ReadAllBytes);

    [TestMethod]
    public void Update_WritesACompleteFolder_LeavesTheSourceUntouched_AndServesNewUsersAndItems()
    {
        var before = Snapshot(_model);
        string rows = NewRows("new.tsv", "900\t3\t5", "900\t7\t5", "900\t555\t5", "1\t555\t5", "2\t555\t5", "3\t9\t5");
        string output = Path.Combine(_root, "m2");
        var run = Run("update", "--model", _model, "--interactions", rows, "--epochs", "2", "--out", output);
        Assert.AreEqual(0, run.ExitCode, run.Error);
        StringAssert.Contains(run.Out, "1 users and 1 items folded in");

        CollectionAssert.AreEquivalent(before.Keys.ToList(), Directory.GetFiles(output).Select(Path.GetFileName).ToList(), "the same files as train writes");
        foreach (var (name, bytes) in before) CollectionAssert.AreEqual(bytes, File.ReadAllBytes(Path.Combine(_model, name)), $"{name} of the source folder changed");
        Assert.AreEqual(0, Directory.GetDirectories(_root, ".*partial*").Length, "no temporary folder is left");

        using var stream = File.OpenRead(Path.Combine(output, "model.bin"));
        var model = RecommenderModelFile.Load(stream, "model.bin");
        Assert.IsTrue(model.Users.IndexOf(900) >= 0 && model.Items.IndexOf(555) >= 0, "the new user and item are in the model");
        var recommended = Run("recommend", "--model", output, "--user", "900", "-k", "5");
        Assert.AreEqual(0, recommended.ExitCode, recommended.Error);
        Assert.IsFalse(recommended.Out.Split('\n').Any(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries) is [_, "555", _]), "a seen (new) item is excluded");
        StringAssert.Contains(File.ReadAllText(Path.Combine(output, "train-positives.tsv")), "900\t555");

        // An updated folder can be updated again (its checkpoint records the options).
        var again = Run("update", "--model", output, "--interactions", NewRows("more.tsv", "901\t4\t5", "901\t555\t5"), "--epochs", "1", "--out", Path.Combine(_root, "m3"));
        Assert.AreEqual(0, again.ExitCode, again.Error);
    }

    [TestMethod]
    public void Update_BadInput_FailsWithOneLine_AndLeavesNoFolder()
    {
        string rows = NewRows("ok.tsv", "900\t3\t5");
        var cases = new (string[] Args, string Expected)[]
        {
            (["--model", Path.Combine(_root, "none"), "--interactions", rows, "--out", Path.Combine(_root, "x1")], "does not exist"),
            (["--model", _model, "--interactions", Path.Combine(_root, "missing.tsv"), "--out", Path.Combine(_root, "x2")], "missing.tsv"),
            (["--model", _model, "--interactions", NewRows("text.tsv", "a\tb"), "--out", Path.Combine(_root, "x3")], "--interactions"),
            (["--model", _model, "--interactions", rows, "--epochs", "-1", "--out", Path.Combine(_root, "x4")], "--epochs"),
            (["--model", _model, "--interactions", rows, "--min-rating", "4", "--out", _model], "already exists"),
            (["--model", _model, "--interactions", NewRows("low.tsv", "900\t3\t1"), "--min-rating", "4", "--out", Path.Combine(_root, "x5")], "no positive"),
        };
        foreach (var (args, expected) in cases)
        {
            var run = Run(["update", .. args]);
            Assert.AreEqual(1, run.ExitCode, string.Join(' ', args));
            StringAssert.Contains(run.Error, expected, string.Join(' ', args));
            Assert.AreEqual(1, run.Error.Trim().Split('\n').Length, run.Error);
        }
        foreach (var name in new[] { "x1", "x2", "x3", "x4", "x5" }) Assert.IsFalse(Directory.Exists(Path.Combine(_root, name)), name);
        Assert.AreEqual(0, Directory.GetDirectories(_root, ".*partial*").Length, "no temporary folder is left");
    }
}
