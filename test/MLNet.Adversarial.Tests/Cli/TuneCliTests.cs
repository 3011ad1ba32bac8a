using System.Text.Json;
using MLNet.Adversarial.Data;

namespace MLNet.Adversarial.Tests.Cli;

[TestClass]
public sealed class TuneCliTests
{
    private string _root = null!;
    private string _train = null!;

    [TestInitialize]
    public void WriteData()
    {
        _root = Directory.CreateTempSubdirectory("mlnet-adv-tune-cli-").FullName;
        _train = Path.Combine(_root, "train.tsv");
        var table = SyntheticInteractions.Generate(new() { Users = 100, Items = 200, Interactions = 2000, Seed = 4 });
        using var writer = new StreamWriter(_train);
        var users = table.Users.Int64Values.ToArray();
        var items = table.Items.Int64Values.ToArray();
        // Every fifth row is rated 2: not a positive under --min-rating 3.
        for (int r = 0; r < users.Length; r++) writer.Write($"{users[r]}\t{items[r]}\t{(r % 5 == 0 ? 2 : 4)}\n");
    }

    [TestCleanup]
    public void DeleteFolder() => Directory.Delete(_root, recursive: true);

    /// <summary>Fails unless <paramref name="dir"/> holds train's model folder plus the trial tables.</summary>
    internal static void AssertTunedFolder(string dir)
    {
        foreach (var file in new[] { "model.zip", "model.bin", "scorer.onnx", "topk.onnx", "train-positives.tsv", "metrics.json", "trials.json", "trials.md", "trials.tsv" })
            Assert.IsTrue(File.Exists(Path.Combine(dir, file)), $"{file} is missing");
    }

    private InProcessCli.Result Tune(string dir, params string[] more) => InProcessCli.Run(
        ["tune", "--train", _train, "--min-rating", "3", "--trainers", "bpr", "--min-epochs", "1", "--max-epochs", "3", "--no-defaults", "--out", dir, .. more]);

    [TestMethod]
    public void TuneWritesTrainsModelFolderAndEveryTrial()
    {
        string dir = Path.Combine(_root, "tuned");
        var run = Tune(dir, "--max-trials", "4");
        Assert.AreEqual(0, run.ExitCode, run.Error);
        AssertTunedFolder(dir);
        Assert.HasCount(4, run.Out.Split('\n').Where(l => l.StartsWith("trial ", StringComparison.Ordinal)).ToArray(), run.Out);
        StringAssert.Contains(run.Out, "trial 4/4");
        StringAssert.Contains(run.Out, "| best ");

        using var trials = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "trials.json")));
        var all = trials.RootElement.GetProperty("trials").EnumerateArray().ToArray();
        Assert.HasCount(4, all);
        var best = all.MaxBy(t => t.GetProperty("validationNdcg").GetDouble());
        using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "metrics.json")));
        Assert.AreEqual(best.GetProperty("key").GetString(), metrics.RootElement.GetProperty("winner").GetProperty("key").GetString());
        Assert.AreEqual(5, File.ReadAllLines(Path.Combine(dir, "trials.tsv")).Length, "a header and one line per trial");

        // The folder serves like train's.
        var recommended = InProcessCli.Run("recommend", "--model", dir, "--user", File.ReadLines(_train).First().Split('\t')[0], "-k", "3");
        Assert.AreEqual(0, recommended.ExitCode, recommended.Error);
    }

    [TestMethod]
    public void AKilledTuneResumesWithoutRerunningFinishedTrials()
    {
        string dir = Path.Combine(_root, "resumed");
        Assert.AreEqual(0, Tune(dir, "--max-trials", "2").ExitCode);
        var again = Tune(dir, "--max-trials", "3", "--resume");
        Assert.AreEqual(0, again.ExitCode, again.Error);
        StringAssert.Contains(again.Out, "resuming the search");
        Assert.AreEqual(2, again.Out.Split('\n').Count(l => l.StartsWith("trial ", StringComparison.Ordinal) && l.Contains(", resumed)")), again.Out);
        Assert.AreEqual(1, again.Out.Split('\n').Count(l => l.StartsWith("trial ", StringComparison.Ordinal) && !l.Contains(", resumed)")), again.Out);
    }

    [TestMethod]
    [DataRow("--trainers", "bpr,foo", "--trainers")]
    [DataRow("--minutes", "0", "--minutes")]
    [DataRow("--max-trials", "0", "--max-trials")]
    [DataRow("--eta", "1", "--eta")]
    [DataRow("--validation-fraction", "0", "--validation-fraction")]
    [DataRow("--resume", null, "--resume")]
    public void BadFlagsGiveOneLineErrors(string flag, string? value, string named)
    {
        string[] args = value is null ? [flag] : [flag, value];
        var run = Tune(Path.Combine(_root, "bad"), ["--max-trials", "1", .. args]);
        Assert.AreNotEqual(0, run.ExitCode);
        StringAssert.Contains(run.Error, named);
        Assert.HasCount(1, run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries), run.Error);
        Assert.IsFalse(Directory.Exists(Path.Combine(_root, "bad", "model.bin")));
    }

    [TestMethod]
    public void AMaxEpochsBelowTheMinimumIsAOneLineError()
    {
        var run = InProcessCli.Run("tune", "--train", _train, "--min-epochs", "5", "--max-epochs", "2", "--out", Path.Combine(_root, "bad"));
        Assert.AreNotEqual(0, run.ExitCode);
        StringAssert.Contains(run.Error, "--max-epochs");
        Assert.HasCount(1, run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries), run.Error);
    }
}
