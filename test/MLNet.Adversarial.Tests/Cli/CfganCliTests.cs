using System.Globalization;
using System.Text.Json;
using MLNet.Adversarial.Cli;
using MLNet.Adversarial.Onnx;
using MLNet.Adversarial.Tests.Trainers;

namespace MLNet.Adversarial.Tests.Cli;

[TestClass]
public sealed class CfganCliTests
{
    public TestContext TestContext { get; set; } = null!;

    private static (int Code, string Out, string Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = CliApp.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    [TestMethod]
    public void TrainCfganWritesTheSameFilesAsAprAndThePurchaseVectorGraph()
    {
        var root = Path.Combine(Path.GetTempPath(), "mlnet-adv-cfgan-" + Guid.NewGuid().ToString("N"));
        try
        {
            Directory.CreateDirectory(root);
            var ratings = Path.Combine(root, "ratings.tsv");
            var table = TrainingFixtures.Interactions();
            File.WriteAllLines(ratings, Enumerable.Range(0, table.Count).Select(r =>
                $"{table.Users.Int64Values[r]}\t{table.Items.Int64Values[r]}\t{table.Ratings![r]}"));
            var outDir = Path.Combine(root, "cfgan");

            var run = Run("train", "--trainer", "cfgan", "--orientation", "user-based", "--train", ratings, "--min-rating", "4", "--epochs", "3", "--g-hidden", "16",
                "--d-hidden", "16", "--g-lr", "0.01", "--condition-dropout", "0.25", "--g-batch", "8", "--d-batch", "16", "--g-averaging", "0.5",
                "--validation-fraction", "0.2", "--out", outDir);

            TestContext.WriteLine(run.Out);
            Assert.AreEqual(0, run.Code, run.Error);
            foreach (var file in new[] { "model.zip", "model.bin", "scorer.onnx", "topk.onnx", "purchase-vector.onnx", "metrics.json", "train-positives.tsv" })
                Assert.IsTrue(File.Exists(Path.Combine(outDir, file)), file);
            StringAssert.Contains(run.Out, "epoch 3/3 (adv): G loss");
            StringAssert.Contains(run.Out, "D loss");
            StringAssert.Contains(run.Out, "ItemPop");
            Assert.AreEqual(OnnxMetadataKeys.PurchaseVectorContract, OnnxModelFile.Validate(Path.Combine(outDir, "purchase-vector.onnx"))[OnnxMetadataKeys.Contract]);

            using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "metrics.json")));
            var report = json.RootElement;
            Assert.AreEqual("cfgan", report.GetProperty("trainer").GetString());
            var cfgan = report.GetProperty("options");
            Assert.AreEqual(3, cfgan.GetProperty("epochs").GetInt32());
            Assert.AreEqual(16, cfgan.GetProperty("generatorHiddenSize").GetInt32());
            Assert.AreEqual(0.01, cfgan.GetProperty("generatorLearningRate").GetDouble(), 1e-12);
            Assert.AreEqual(0.25, cfgan.GetProperty("conditionDropout").GetDouble(), 1e-12);
            Assert.AreEqual(8, cfgan.GetProperty("generatorBatchSize").GetInt32());
            Assert.AreEqual(16, cfgan.GetProperty("discriminatorBatchSize").GetInt32());
            Assert.AreEqual(0.5, cfgan.GetProperty("generatorAveragingDecay").GetDouble(), 1e-12);
            Assert.AreEqual(new MLNet.Adversarial.Trainers.CfganTrainer.Options().DiscriminatorLearningRate, cfgan.GetProperty("discriminatorLearningRate").GetDouble(), 1e-12,
                "a shared flag that was not given keeps the CFGAN default, not another trainer's");
            var history = report.GetProperty("history").EnumerateArray().ToList();
            Assert.HasCount(3, history);
            Assert.IsTrue(history.All(h => h.TryGetProperty("discriminatorLoss", out _) && h.TryGetProperty("validationMetric", out _)));

            var recommend = Run("recommend", "--model", outDir, "--user", table.Users.Int64Values[0].ToString(CultureInfo.InvariantCulture), "-k", "3");
            Assert.AreEqual(0, recommend.Code, recommend.Error);
            var evaluate = Run("evaluate", "--model", outDir, "--train", ratings, "--test", ratings, "--min-rating", "4");
            Assert.AreEqual(0, evaluate.Code, evaluate.Error);
        }
        finally
        {
            try { Directory.Delete(root, recursive: true); } catch (IOException) { }
        }
    }

    [TestMethod]
    public void CfganFlagErrorsNameTheFlag()
    {
        var outDir = Path.Combine(Path.GetTempPath(), "mlnet-adv-cfgan-bad-" + Guid.NewGuid().ToString("N"));
        var dropout = Run("train", "--trainer", "cfgan", "--condition-dropout", "1", "--out", outDir);
        Assert.AreEqual(1, dropout.Code);
        StringAssert.Contains(dropout.Error, "--condition-dropout");
        var ratio = Run("train", "--trainer", "cfgan", "--pm-ratio", "2", "--out", outDir);
        Assert.AreEqual(1, ratio.Code);
        StringAssert.StartsWith(ratio.Error, "error: --pm-ratio");
        var resume = Run("train", "--trainer", "cfgan", "--resume", outDir, "--out", outDir);
        Assert.AreEqual(1, resume.Code);
        StringAssert.Contains(resume.Error, "--resume: folder"); // cfgan resumes now; a missing folder is named
        Assert.IsFalse(Directory.Exists(outDir), "nothing is written when the flags are wrong");
    }
}
