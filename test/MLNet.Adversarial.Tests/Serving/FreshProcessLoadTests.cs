using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Adversarial.Data;
using MLNet.Adversarial.Tests.Trainers;

namespace MLNet.Adversarial.Tests.Serving;

[TestClass]
public sealed class FreshProcessLoadTests
{
    [TestMethod]
    public void ModelSavedHereScoresIdenticallyWhenLoadedInAnotherProcess()
    {
        var ml = new MLContext(seed: 1);
        var table = TrainingFixtures.Interactions();
        var data = table.DataView();
        using var model = ml.Adversarial().Trainers.Apr(TrainingFixtures.FastOptions()).Fit(data);
        var expected = model.Transform(data).GetColumn<float>("Score").ToArray();

        var folder = Directory.CreateTempSubdirectory("mlnet-adv-fresh-").FullName;
        try
        {
            var zip = Path.Combine(folder, "model.zip");
            ml.Model.Save(model, data.Schema, zip);
            var pairs = Path.Combine(folder, "pairs.tsv");
            // Known pairs plus an unknown user and an unknown item (fallback scores).
            var lines = Enumerable.Range(0, table.Count).Select(r => $"{table.Users.Int64Values[r]}\t{table.Items.Int64Values[r]}").ToList();
            lines.Add($"424242\t{table.Items.Int64Values[0]}");
            lines.Add($"{table.Users.Int64Values[0]}\t424242");
            File.WriteAllLines(pairs, lines);

            var (exit, stdout, stderr) = RunCli("score", "--model", zip, "--input", pairs);

            Assert.AreEqual(0, exit, stderr);
            var scores = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(l => float.Parse(l.Split('\t')[2], CultureInfo.InvariantCulture)).ToArray();
            Assert.AreEqual(table.Count + 2, scores.Length);
            CollectionAssert.AreEqual(expected, scores[..table.Count], "bit-identical scores in a fresh process");
            Assert.AreEqual(model.Factorization().Score(-1, model.Factorization().Items.IndexOf(table.Items.Int64Values[0])), scores[^2], 1e-5);
            Assert.AreEqual(model.Factorization().Score(model.Factorization().Users.IndexOf(table.Users.Int64Values[0]), -1), scores[^1], 1e-5);
            // No GPU was asked for, so ONNX Runtime must not have tried (and logged a failure to load) CUDA.
            Assert.IsFalse(stderr.Contains("CUDA", StringComparison.OrdinalIgnoreCase) || stderr.Contains("error", StringComparison.OrdinalIgnoreCase), stderr);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [TestMethod]
    public void ACorruptModelZipIsAClearError()
    {
        var folder = Directory.CreateTempSubdirectory("mlnet-adv-corrupt-").FullName;
        try
        {
            var zip = Path.Combine(folder, "model.zip");
            File.WriteAllBytes(zip, [0x50, 0x4B, 0x03, 0x04, 1, 2, 3]);
            var pairs = Path.Combine(folder, "pairs.tsv");
            File.WriteAllLines(pairs, ["1\t2"]);
            var (exit, _, stderr) = RunCli("score", "--model", zip, "--input", pairs);
            Assert.AreEqual(1, exit);
            StringAssert.StartsWith(stderr.Trim(), "error:");
            StringAssert.Contains(stderr, "model.zip");
            Assert.IsFalse(stderr.Contains("   at ", StringComparison.Ordinal), "no stack trace");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Runs the CLI (copied into the test output through the project reference) as a separate process.</summary>
    internal static (int Exit, string Stdout, string Stderr) RunCli(params string[] args)
    {
        using var process = CliProcess.Start(args);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("the CLI did not finish within 2 minutes");
        }
        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}
