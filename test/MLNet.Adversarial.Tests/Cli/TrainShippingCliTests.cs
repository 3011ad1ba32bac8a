using System.Text.Json;
using MLNet.Adversarial.Cli;
using MLNet.Adversarial.Data;
using MLNet.Adversarial.Models;

namespace MLNet.Adversarial.Tests.Cli;

/// <summary>
/// What 'train' ships and keeps: the refit on all rows (or the holdout model with --no-refit), the model files written
/// before anything that can fail, one-line errors for size flags out of range, and 'recommend' beyond a user's candidates.
/// </summary>
[TestClass]
public sealed class TrainShippingCliTests
{
    private const int Users = 40, Items = 30;
    private static string _root = null!;
    private static string _file = null!;

    private static InProcessCli.Result Run(params string[] args) => InProcessCli.Run(args);

    [ClassInitialize]
    public static void WriteData(TestContext _)
    {
        _root = Path.Combine(Path.GetTempPath(), "mlnet-adv-ship-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_root);
        // User 0 has every item but two; the others about a third of the catalogue.
        var rng = new Random(5);
        var lines = new List<string>();
        for (int u = 0; u < Users; u++)
            for (int i = 0; i < Items; i++)
                if (u == 0 ? i >= 2 : rng.NextDouble() < 0.33) lines.Add($"{u}\t{1000 + i}");
        _file = Path.Combine(_root, "all.tsv");
        File.WriteAllLines(_file, lines);
    }

    [ClassCleanup]
    public static void Cleanup()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    private static string[] Train(string dir, params string[] extra) =>
        ["train", "--train", _file, "--trainer", "bpr", "--epochs", "2", "--dim", "4", "--topk", Items.ToString(), "--out", dir, .. extra];

    [TestMethod]
    public void WithoutATestFileTheShippedModelIsRefitOnAllRows()
    {
        var dir = Path.Combine(_root, "refit");
        var run = Run(Train(dir));
        Assert.AreEqual(0, run.ExitCode, run.Error);
        int all = File.ReadAllLines(_file).Length;
        StringAssert.Contains(run.Out, "metrics.json describes the holdout model");
        StringAssert.Contains(run.Out, $"shipped: the model refit on all {all} rows");

        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "metrics.json")));
        var shipped = json.RootElement.GetProperty("shipped");
        Assert.IsTrue(shipped.GetProperty("refit").GetBoolean());
        Assert.AreEqual(all, shipped.GetProperty("trainRows").GetInt32());
        int evaluatedRows = json.RootElement.GetProperty("data").GetProperty("trainRows").GetInt32();
        Assert.IsLessThan(all, evaluatedRows); // the metrics describe the holdout model
        // The shipped model saw every row: they are all its "seen" items, and it knows every item of the file.
        Assert.AreEqual(all, File.ReadAllLines(Path.Combine(dir, "train-positives.tsv")).Length);
        Assert.AreEqual(Items, new ModelDirectory(dir).LoadModel().Items.Count);
    }

    [TestMethod]
    public void NoRefitShipsTheHoldoutModelAndSaysSo()
    {
        var dir = Path.Combine(_root, "no-refit");
        var run = Run(Train(dir, "--no-refit"));
        Assert.AreEqual(0, run.ExitCode, run.Error);
        StringAssert.Contains(run.Out, "shipped: the holdout model, trained on");
        StringAssert.Contains(run.Out, "80% of each user's");
        Assert.DoesNotContain("refitting", run.Out);

        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "metrics.json")));
        var shipped = json.RootElement.GetProperty("shipped");
        Assert.IsFalse(shipped.GetProperty("refit").GetBoolean());
        int trainRows = json.RootElement.GetProperty("data").GetProperty("trainRows").GetInt32();
        Assert.AreEqual(trainRows, shipped.GetProperty("trainRows").GetInt32());
        Assert.AreEqual(trainRows, File.ReadAllLines(Path.Combine(dir, "train-positives.tsv")).Length);
        Assert.IsLessThan(File.ReadAllLines(_file).Length, trainRows);
    }

    [TestMethod]
    public void NoRefitWithATestFileIsRefused()
    {
        var run = Run(Train(Path.Combine(_root, "no-refit-test"), "--test", _file, "--no-refit"));
        Assert.AreEqual(1, run.ExitCode);
        StringAssert.Contains(run.Error, "--no-refit");
    }

    [TestMethod]
    [DataRow("--batch", "2000000000")]
    [DataRow("--batch", "0")]
    [DataRow("--threads", "2000000000")]
    [DataRow("--epochs", "0")]
    [DataRow("--trainer cfgan --g-batch", "2000000000")]
    [DataRow("--trainer cfgan --d-batch", "2000000000")]
    [DataRow("--trainer cfgan --epochs", "0")]
    [DataRow("--trainer irgan --g-samples", "2000000000")]
    public void SizeFlagsOutOfRangeGiveOneLineNamingTheFlag(string flag, string value)
    {
        var dir = Path.Combine(_root, "bad-" + Guid.NewGuid().ToString("N"));
        var run = Run(["train", "--train", _file, "--out", dir, .. flag.Split(' '), value]);
        Assert.AreEqual(1, run.ExitCode, run.Out);
        var lines = run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.HasCount(1, lines, run.Error);
        StringAssert.StartsWith(lines[0], "error: " + flag.Split(' ')[^1] + " must be");
        Assert.IsFalse(File.Exists(Path.Combine(dir, "model.bin")), "nothing is trained");
    }

    [TestMethod]
    public void AFailedExportKeepsTheTrainedModelAndSaysHowToReExport()
    {
        var dir = Path.Combine(_root, "export-fails");
        Directory.CreateDirectory(Path.Combine(dir, "topk.onnx")); // a folder where the top-K file should go: its write fails
        var run = Run(Train(dir));
        Assert.AreEqual(1, run.ExitCode, run.Out);
        var lines = run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.HasCount(1, lines, run.Error);
        StringAssert.Contains(lines[0], "model.bin, model.zip, checkpoint.bin");
        StringAssert.Contains(lines[0], $"mlnet-adv export --model {dir}");

        Assert.AreEqual(Items, new ModelDirectory(dir).LoadModel().Items.Count); // the shipped (refit) model was saved
        var exported = Run("export", "--model", dir, "--out", Path.Combine(_root, "reexported.onnx"), "--topk", "5");
        Assert.AreEqual(0, exported.ExitCode, exported.Error);
    }

    [TestMethod]
    public void RecommendListsOnlyCandidatesAndSaysWhenFewerThanKAreLeft()
    {
        var dir = Path.Combine(_root, "recommend");
        Assert.AreEqual(0, Run(Train(dir, "--test", _file)).ExitCode);
        var run = Run("recommend", "--model", dir, "--user", "0", "-k", "5");
        Assert.AreEqual(0, run.ExitCode, run.Error);
        var lines = run.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        // Header, column titles, the two items user 0 does not have, and the note.
        Assert.HasCount(5, lines, run.Out);
        CollectionAssert.AreEquivalent(new[] { "1000", "1001" }, lines[2..4].Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]).ToArray());
        StringAssert.StartsWith(lines[4], "only 2 of the 5 items asked for are left");
        Assert.DoesNotContain("Infinity", run.Out);

        var full = Run("recommend", "--model", dir, "--user", "3", "-k", "5");
        Assert.AreEqual(0, full.ExitCode, full.Error);
        Assert.DoesNotContain("only", full.Out); // user 3 has far more than 5 candidates
    }
}
