using System.Text.Json;
using MLNet.Adversarial.Cli;
using MLNet.Adversarial.Data;

namespace MLNet.Adversarial.Tests.Privacy;

[TestClass]
public sealed class PrivacyCliTests
{
    private static string _root = null!;

    [ClassInitialize]
    public static void Init(TestContext _)
    {
        _root = Path.Combine(Path.GetTempPath(), "mlnet-adv-privacy-cli-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_root);
    }

    [ClassCleanup]
    public static void Cleanup()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    private static (int Code, string Out, string Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = CliApp.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    [TestMethod]
    public void TrainWithSensitiveAttributeThenAuditTheShippedModel()
    {
        var split = SyntheticInteractions.GenerateSplit(new() { Users = 200, Items = 150, Interactions = 5000, Seed = 5 });
        string train = Path.Combine(_root, "train.tsv"), test = Path.Combine(_root, "test.tsv"), users = Path.Combine(_root, "users.csv");
        File.WriteAllLines(train, Enumerable.Range(0, split.Train.Count).Select(r => $"{split.Train.Users.Int64Values[r]}\t{split.Train.Items.Int64Values[r]}"));
        File.WriteAllLines(test, Enumerable.Range(0, split.Holdout.Count).Select(r => $"{split.Holdout.Users.Int64Values[r]}\t{split.Holdout.Items.Int64Values[r]}"));
        var ids = split.Train.Users.Int64Values.ToArray().Distinct().Order().ToArray();
        File.WriteAllLines(users, ["id,group,age", .. ids.Select(u => $"{u},{(u % 2 == 0 ? "even" : "odd")},{20 + u % 40}")]);

        string dir = Path.Combine(_root, "model");
        var trained = Run("train", "--train", train, "--test", test, "--trainer", "bpr", "--epochs", "3", "--dim", "8", "--lr", "0.02",
            "--sensitive", users + ":group", "--privacy-weight", "0.5", "--adversary-hidden", "0", "--privacy-objective", "confusion", "--out", dir);
        Assert.AreEqual(0, trained.Code, trained.Error);
        StringAssert.Contains(trained.Out, "adversary CE");
        StringAssert.Contains(trained.Out, "logistic-regression");
        using (var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "metrics.json"))))
            Assert.AreEqual(2, json.RootElement.GetProperty("privacy").GetProperty("attackers").GetArrayLength());

        var audit = Run("audit", "--model", dir, "--sensitive", users + ":2", "--folds", "3", "--json", Path.Combine(_root, "audit.json"));
        Assert.AreEqual(0, audit.Code, audit.Error);
        StringAssert.Contains(audit.Out, "ROC-AUC");
        StringAssert.Contains(audit.Out, "mlp");
        var onnx = Run("audit", "--model", Path.Combine(dir, "topk.onnx"), "--sensitive", users + ":age", "--bands", "30,45");
        Assert.AreEqual(0, onnx.Code, onnx.Error);
        StringAssert.Contains(onnx.Out, "bal.acc");

        var missingColumn = Run("audit", "--model", dir, "--sensitive", users + ":income");
        Assert.AreNotEqual(0, missingColumn.Code);
        StringAssert.Contains(missingColumn.Error, "income");
        var badSpec = Run("audit", "--model", dir, "--sensitive", "nocolon");
        Assert.AreNotEqual(0, badSpec.Code);
        StringAssert.StartsWith(badSpec.Error, "error: --sensitive");
        var badWeight = Run("train", "--sensitive", users + ":2", "--privacy-weight", "-1", "--out", Path.Combine(_root, "bad"));
        Assert.AreNotEqual(0, badWeight.Code);
        StringAssert.StartsWith(badWeight.Error, "error: --privacy-weight");
    }
}
