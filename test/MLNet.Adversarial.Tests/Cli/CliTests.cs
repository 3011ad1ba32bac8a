using System.Text.Json;
using MLNet.Adversarial.Cli;
using MLNet.Adversarial.Data;

namespace MLNet.Adversarial.Tests.Cli;

[TestClass]
public sealed class CliTests
{
    private static string _root = null!;
    private static string _quickstart = null!;
    private static InProcessCli.Result _quickstartRun = null!;

    public TestContext TestContext { get; set; } = null!;

    private static InProcessCli.Result Run(params string[] args) => InProcessCli.Run(args);

    [ClassInitialize]
    public static void TrainQuickstart(TestContext _)
    {
        _root = Path.Combine(Path.GetTempPath(), "mlnet-adv-cli-" + Guid.NewGuid().ToString("N"));
        _quickstart = Path.Combine(_root, "quickstart");
        // The README's quickstart: synthetic data, default options.
        _quickstartRun = Run("train", "--out", _quickstart);
    }

    [ClassCleanup]
    public static void Cleanup()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    [TestMethod]
    public void QuickstartWritesEveryFileAndBeatsItemPop()
    {
        TestContext.WriteLine(_quickstartRun.Out);
        Assert.AreEqual(0, _quickstartRun.ExitCode, _quickstartRun.Error);
        foreach (var file in new[] { "model.zip", "model.bin", "scorer.onnx", "topk.onnx", "checkpoint.bin", "metrics.json", "train-positives.tsv" })
            Assert.IsTrue(File.Exists(Path.Combine(_quickstart, file)), file);
        // Default schedule: up to 200 epochs on the internal validation split (BPR warm-up, then APR, early stopping), then the refit.
        StringAssert.Contains(_quickstartRun.Out, "/200 (adv)");
        StringAssert.Contains(_quickstartRun.Out, "then a refit on all of them");
        StringAssert.Contains(_quickstartRun.Out, "ItemPop");

        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(_quickstart, "metrics.json")));
        var root = json.RootElement;
        Assert.AreEqual("apr", root.GetProperty("trainer").GetString());
        int selected = root.GetProperty("selectedEpoch").GetInt32();
        int advStart = root.GetProperty("phaseSwitchEpochs")[0].GetInt32();
        Assert.IsTrue(selected > advStart && advStart > 0, $"APR's selected epoch {selected} follows its BPR warm-up (switch after {advStart})");
        Assert.IsGreaterThan(0, root.GetProperty("pairsPerSecond").GetDouble());
        double Ndcg(string model, int k) => root.GetProperty(model).GetProperty("byK").EnumerateArray()
            .Single(m => m.GetProperty("k").GetInt32() == k).GetProperty("ndcg").GetDouble();
        CollectionAssert.AreEqual(new[] { 3, 5, 10, 20 }, root.GetProperty("model").GetProperty("byK").EnumerateArray().Select(m => m.GetProperty("k").GetInt32()).ToArray());
        Assert.IsGreaterThan(2 * Ndcg("itemPop", 10), Ndcg("model", 10));

        // model.zip is a loadable ML.NET model with the training data's schema.
        var mlContext = new Microsoft.ML.MLContext(1);
        mlContext.Adversarial();
        var loaded = mlContext.Model.Load(Path.Combine(_quickstart, "model.zip"), out var schema);
        Assert.AreEqual("UserId", schema["UserId"].Name);
        Assert.IsNotNull(loaded);
    }

    [TestMethod]
    public void RecommendKnownAndUnknownUsers()
    {
        var known = Run("recommend", "--model", _quickstart, "--user", "7", "-k", "5");
        Assert.AreEqual(0, known.ExitCode, known.Error);
        StringAssert.StartsWith(known.Out, "top 5 for user 7:");
        var rows = known.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(2).ToArray();
        Assert.HasCount(5, rows);
        // Training items of user 7 are never recommended.
        var seen = File.ReadAllLines(Path.Combine(_quickstart, "train-positives.tsv")).Where(l => l.StartsWith("7\t", StringComparison.Ordinal)).Select(l => l.Split('\t')[1]).ToHashSet();
        foreach (var row in rows) Assert.IsFalse(seen.Contains(row.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]), row);

        var unknown = Run("recommend", "--model", _quickstart, "--user", "999999");
        Assert.AreEqual(0, unknown.ExitCode, unknown.Error);
        StringAssert.Contains(unknown.Out, "fallback (mean user) ranking");
        Assert.HasCount(10, unknown.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(2).ToArray());
    }

    [TestMethod]
    public void RecommendBeyondTheExportedKNamesIt()
    {
        var run = Run("recommend", "--model", _quickstart, "--user", "7", "-k", "50");
        Assert.AreNotEqual(0, run.ExitCode);
        StringAssert.Contains(run.Error, "exported K = 20");
        StringAssert.Contains(run.Error, "export");
    }

    [TestMethod]
    public void FilesTrainEvaluateAttackAndExport()
    {
        var split = SyntheticInteractions.GenerateSplit(new() { Users = 300, Items = 200, Interactions = 9000, Seed = 3 });
        string train = Path.Combine(_root, "train.tsv"), test = Path.Combine(_root, "test.tsv"), dir = Path.Combine(_root, "files");
        WriteRatings(train, split.Train);
        WriteRatings(test, split.Holdout);

        var trained = Run("train", "--train", train, "--test", test, "--min-rating", "3", "--trainer", "bpr", "--epochs", "5",
            "--validation-fraction", "0.1", "--dim", "16", "--lr", "0.02", "--topk", "5", "--out", dir);
        Assert.AreEqual(0, trained.ExitCode, trained.Error);
        StringAssert.Contains(trained.Out, "validation");
        StringAssert.Contains(trained.Out, "held out for validation");

        var evaluated = Run("evaluate", "--model", dir, "--train", train, "--test", test, "--min-rating", "3", "-k", "5,10", "--attack", "0.5,1", "--json", Path.Combine(_root, "eval.json"));
        Assert.AreEqual(0, evaluated.ExitCode, evaluated.Error);
        StringAssert.Contains(evaluated.Out, "drop");
        using (var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(_root, "eval.json"))))
            Assert.AreEqual(2, json.RootElement.GetProperty("attack").GetArrayLength());

        string onnx = Path.Combine(_root, "top30.onnx");
        var exported = Run("export", "--model", dir, "--out", onnx, "--topk", "30");
        Assert.AreEqual(0, exported.ExitCode, exported.Error);
        Assert.AreEqual("30", MLNet.Adversarial.Onnx.OnnxModelFile.Validate(onnx)[MLNet.Adversarial.Onnx.OnnxMetadataKeys.K]);
        var scorer = Run("export", "--model", dir, "--out", Path.Combine(_root, "scorer.onnx"));
        Assert.AreEqual(0, scorer.ExitCode, scorer.Error);

        string triton = Path.Combine(_root, "triton");
        var repository = Run("export", "--model", dir, "--triton", triton);
        Assert.AreEqual(0, repository.ExitCode, repository.Error);
        foreach (var name in new[] { "scorer", "topk" }) MLNet.Adversarial.Tests.Onnx.TritonConfigFile.AssertMatchesOnnx(Path.Combine(triton, name), name);
        StringAssert.Contains(File.ReadAllText(Path.Combine(triton, "topk", "config.pbtxt")), "dims: [ 5 ]", "the folder's K (--topk 5 at training)");
        var both = Run("export", "--model", dir, "--triton", triton, "--out", onnx);
        Assert.AreNotEqual(0, both.ExitCode);
        StringAssert.Contains(both.Error, "exactly one of --out FILE and --triton DIR");
    }

    [TestMethod]
    public void MalformedTrainFileNamesTheLine()
    {
        string path = Path.Combine(_root, "bad.tsv");
        File.WriteAllText(path, "1\t10\t5\n2\t11\t4\n3\t12\tfive\n");
        var run = Run("train", "--train", path, "--out", Path.Combine(_root, "bad"));
        Assert.AreNotEqual(0, run.ExitCode);
        StringAssert.Contains(run.Error, "bad.tsv, line 3");
        Assert.DoesNotContain(" at ", run.Error);
        Assert.HasCount(1, run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [TestMethod]
    public void UnknownOptionMissingOutAndBadValuesFail()
    {
        var unknown = Run("train", "--out", Path.Combine(_root, "x"), "--frobnicate", "3");
        Assert.AreNotEqual(0, unknown.ExitCode);
        StringAssert.Contains(unknown.Error, "--frobnicate");

        var missing = Run("train", "--epochs", "1");
        Assert.AreNotEqual(0, missing.ExitCode);
        StringAssert.Contains(missing.Error, "--out");

        var badDim = Run("train", "--dim", "0", "--out", Path.Combine(_root, "y"));
        Assert.AreNotEqual(0, badDim.ExitCode);
        StringAssert.StartsWith(badDim.Error, "error: --dim");

        var badSampler = Run("train", "--sampler", "random", "--out", Path.Combine(_root, "z"));
        Assert.AreNotEqual(0, badSampler.ExitCode);
        StringAssert.Contains(badSampler.Error, "random");

        var noModel = Run("recommend", "--model", Path.Combine(_root, "nothing"), "--user", "1");
        Assert.AreNotEqual(0, noModel.ExitCode);
        StringAssert.StartsWith(noModel.Error, "error: --model");
    }

    private static void WriteRatings(string path, InteractionTable table)
    {
        // A rating per row: every fifth row is a 2 (not a positive under --min-rating 3).
        using var writer = new StreamWriter(path);
        var users = table.Users.Int64Values.ToArray();
        var items = table.Items.Int64Values.ToArray();
        for (int r = 0; r < users.Length; r++) writer.Write($"{users[r]}\t{items[r]}\t{(r % 5 == 0 ? 2 : 4)}\n");
    }
}
