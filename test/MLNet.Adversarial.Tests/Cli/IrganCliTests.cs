using System.Text.Json;
using MLNet.Adversarial.Cli;
using MLNet.Adversarial.Tests.Trainers;

namespace MLNet.Adversarial.Tests.Cli;

[TestClass]
public sealed class IrganCliTests
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
    public void TrainIrganWritesTheSameFilesAsApr()
    {
        var root = Path.Combine(Path.GetTempPath(), "mlnet-adv-irgan-" + Guid.NewGuid().ToString("N"));
        try
        {
            Directory.CreateDirectory(root);
            var ratings = Path.Combine(root, "ratings.tsv");
            var table = TrainingFixtures.Interactions();
            File.WriteAllLines(ratings, Enumerable.Range(0, table.Count).Select(r =>
                $"{table.Users.Int64Values[r]}\t{table.Items.Int64Values[r]}\t{table.Ratings![r]}"));
            var outDir = Path.Combine(root, "irgan");

            var run = Run("train", "--trainer", "irgan", "--train", ratings, "--min-rating", "4", "--epochs", "3", "--gan-epochs", "2",
                "--d-epochs", "1", "--dim", "8", "--batch", "128", "--validation-fraction", "0.2", "--out", outDir);

            TestContext.WriteLine(run.Out);
            Assert.AreEqual(0, run.Code, run.Error);
            foreach (var file in new[] { "model.zip", "model.bin", "scorer.onnx", "topk.onnx", "checkpoint.bin", "metrics.json", "train-positives.tsv" })
                Assert.IsTrue(File.Exists(Path.Combine(outDir, file)), file);
            StringAssert.Contains(run.Out, "epoch 5/5 (adv): G loss");
            StringAssert.Contains(run.Out, "D loss");
            StringAssert.Contains(run.Out, "ItemPop");

            using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "metrics.json")));
            var root0 = json.RootElement;
            Assert.AreEqual("irgan", root0.GetProperty("trainer").GetString());
            Assert.AreEqual(2, root0.GetProperty("options").GetProperty("adversarialEpochs").GetInt32());
            Assert.IsFalse(root0.GetProperty("options").GetProperty("serveDiscriminator").GetBoolean(), "G is served");
            var history = root0.GetProperty("history").EnumerateArray().ToList();
            Assert.HasCount(5, history);
            Assert.IsTrue(history[^1].TryGetProperty("discriminatorLoss", out _), "the rounds record D's loss");
            Assert.IsFalse(history[0].TryGetProperty("discriminatorLoss", out _), "the BPR pre-training epochs have none");

            // The folder works with the commands that read a trained model.
            var recommend = Run("recommend", "--model", outDir, "--user", table.Users.Int64Values[0].ToString(System.Globalization.CultureInfo.InvariantCulture), "-k", "3");
            Assert.AreEqual(0, recommend.Code, recommend.Error);
        }
        finally
        {
            try { Directory.Delete(root, recursive: true); } catch (IOException) { }
        }
    }

    [TestMethod]
    public void IrganFlagErrorsNameTheFlag()
    {
        var outDir = Path.Combine(Path.GetTempPath(), "mlnet-adv-irgan-bad-" + Guid.NewGuid().ToString("N"));
        var temperature = Run("train", "--trainer", "irgan", "--temperature", "0", "--out", outDir);
        Assert.AreEqual(1, temperature.Code);
        StringAssert.StartsWith(temperature.Error, "error: --temperature");
        var resume = Run("train", "--trainer", "irgan", "--resume", outDir, "--out", outDir);
        Assert.AreEqual(1, resume.Code);
        StringAssert.Contains(resume.Error, "--resume: folder"); // irgan resumes now; a missing folder is named
        Assert.IsFalse(Directory.Exists(outDir), "nothing is written when the flags are wrong");
    }
}
