using System.Globalization;
using System.Text.Json;
using MLNet.Adversarial.Cli;
using MLNet.Adversarial.Models;
using MLNet.Adversarial.Tests.Hybrid;

namespace MLNet.Adversarial.Tests.Cli;

/// <summary>train --item-text, recommend --new-items and evaluate --cold-start on the topic fixture, with titles embedded by MiniLM.</summary>
[TestClass]
public sealed class HybridCliTests
{
    private static readonly string[] TopicTitles =
    [
        "Space adventure among the stars, rockets and aliens",
        "Romantic comedy about falling in love at a wedding",
        "Crime thriller: detectives chase a bank robber",
        "Horror film: a haunted house and a ghost at night",
    ];

    private static string _root = null!, _train = null!, _text = null!, _model = null!;
    private static (int ExitCode, string Out, string Error) _trained;

    private static (int ExitCode, string Out, string Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = CliApp.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    [ClassInitialize]
    public static void TrainHybrid(TestContext _)
    {
        _root = Path.Combine(Path.GetTempPath(), "mlnet-adv-hybrid-cli-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_root);
        _train = Path.Combine(_root, "train.tsv");
        var table = HybridFixtures.Interactions();
        File.WriteAllLines(_train, Enumerable.Range(0, table.Count).Select(r => $"{table.Users.Int64Values[r]}\t{table.Items.Int64Values[r]}\t5"));
        _text = Path.Combine(_root, "items.tsv");
        File.WriteAllLines(_text, ["item\ttitle"], System.Text.Encoding.UTF8);
        File.AppendAllLines(_text, Enumerable.Range(0, 60).Select(i => $"{HybridFixtures.ItemId(i)}\t{TopicTitles[HybridFixtures.TopicOf(i)]} (part {i / 4 + 1})"));
        _model = Path.Combine(_root, "hybrid");
        _trained = Run("train", "--train", _train, "--item-text", _text + ":2", "--trainer", "bpr", "--epochs", "30", "--dim", "8", "--lr", "0.03",
            "--batch", "64", "--seed", "3", "--topk", "5", "--out", _model);
    }

    [ClassCleanup]
    public static void Cleanup()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    [TestMethod]
    public void TrainWithItemTextWritesAHybridModel()
    {
        Assert.AreEqual(0, _trained.ExitCode, _trained.Error);
        StringAssert.Contains(_trained.Out, "item text: 60 texts from items.tsv embedded (384 dimensions)");
        using (var stream = File.OpenRead(Path.Combine(_model, "model.bin")))
            Assert.IsInstanceOfType<HybridFactorizationModel>(RecommenderModelFile.Load(stream));
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(_model, "metrics.json")));
        Assert.AreEqual("hybrid-bpr", json.RootElement.GetProperty("trainer").GetString());
        Assert.AreEqual("items.tsv", json.RootElement.GetProperty("itemText").GetString());
    }

    [TestMethod]
    public void RecommendAddsTextOnlyItemsWithoutRetraining()
    {
        Assert.AreEqual(0, _trained.ExitCode, _trained.Error);
        var newItems = Path.Combine(_root, "new.tsv");
        // 9001 is of the topic user 1000 likes (topic 0), 9002 of another; 5000 is already trained.
        File.WriteAllLines(newItems, [$"9001\t{TopicTitles[0]} (the sequel)", $"9002\t{TopicTitles[3]} (the sequel)", $"5000\t{TopicTitles[0]}"]);
        var run = Run("recommend", "--model", _model, "--user", "1000", "-k", "62", "--new-items", newItems + ":2");
        Assert.AreEqual(0, run.ExitCode, run.Error);
        StringAssert.Contains(run.Out, "added 2 new text-only item(s) from new.tsv (1 already in the catalogue keep their trained vectors)");
        var lines = run.Out.Split('\n').Where(l => l.Contains("(new)")).ToList();
        Assert.HasCount(2, lines);
        int Rank(string id) => int.Parse(run.Out.Split('\n').Single(l => l.Contains($" {id} ")).Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        Assert.IsLessThan(Rank("9002"), Rank("9001"), "the new item of the user's topic ranks higher");
    }

    [TestMethod]
    public void EvaluateColdStartWritesColdAndWarmMetrics()
    {
        var dir = Path.Combine(_root, "cold");
        var run = Run("evaluate", "--cold-start", "0.2", "--train", _train, "--item-text", _text + ":2", "--epochs", "15", "--dim", "8", "--lr", "0.03",
            "--batch", "64", "--seeds", "1,2", "--validation-fraction", "0", "-k", "7", "--out", dir);
        Assert.AreEqual(0, run.ExitCode, run.Error);
        StringAssert.Contains(run.Out, "**Cold items**");
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "metrics.json")));
        var models = json.RootElement.GetProperty("coldStart").GetProperty("models").EnumerateArray().ToDictionary(m => m.GetProperty("model").GetString()!);
        CollectionAssert.AreEquivalent(new[] { "hybrid-bpr", "id-only-bpr", "content-only", "random" }, models.Keys.ToArray());
        double ColdNdcg(string model) => models[model].GetProperty("cold").EnumerateArray().Single(m => m.GetProperty("k").GetInt32() == 10).GetProperty("ndcg").GetProperty("mean").GetDouble();
        Assert.AreEqual(JsonValueKind.Null, models["id-only-bpr"].TryGetProperty("cold", out var cold) ? cold.ValueKind : JsonValueKind.Null, "an id-only model cannot rank cold items");
        Assert.IsTrue(models["id-only-bpr"].GetProperty("warm").GetArrayLength() > 0);
        Assert.IsGreaterThan(ColdNdcg("random"), ColdNdcg("hybrid-bpr"));
        Assert.AreEqual(2 * 4, json.RootElement.GetProperty("coldStart").GetProperty("runs").GetArrayLength(), "two seeds, four models");
        CollectionAssert.AreEqual(new[] { 5, 7, 10 }, models["hybrid-bpr"].GetProperty("cold").EnumerateArray().Select(m => m.GetProperty("k").GetInt32()).ToArray(),
            "-k is honoured; 5 and 10 are added for the summary table");
    }

    [TestMethod]
    public void BadTextFlagsAreOneLineErrorsNamingTheFlag()
    {
        var badColumns = Run("train", "--train", _train, "--item-text", _text + ":x", "--out", Path.Combine(_root, "bad1"));
        Assert.AreEqual(1, badColumns.ExitCode);
        StringAssert.StartsWith(badColumns.Error, "error: --item-text: ");
        StringAssert.Contains(badColumns.Error, "'x' is not a column number");

        var plain = Run("train", "--train", _train, "--item-text", _text, "--out", Path.Combine(_root, "bad2"));
        StringAssert.Contains(plain.Error, "FILE:COLUMNS");

        var userOnly = Run("train", "--train", _train, "--user-text", _text + ":2", "--out", Path.Combine(_root, "bad3"));
        StringAssert.Contains(userOnly.Error, "--user-text needs --item-text");

        var noText = Run("evaluate", "--cold-start", "0.2", "--train", _train);
        StringAssert.Contains(noText.Error, "--cold-start needs --item-text");

        var idOnly = Path.Combine(_root, "id-only");
        Assert.AreEqual(0, Run("train", "--train", _train, "--epochs", "1", "--dim", "4", "--out", idOnly).ExitCode);
        var notHybrid = Run("recommend", "--model", idOnly, "--user", "1000", "--new-items", _text + ":2");
        StringAssert.Contains(notHybrid.Error, "--new-items needs a hybrid model");
    }
}
