using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Adversarial.Tests.Trainers;

namespace MLNet.Adversarial.Tests.Reliability;

/// <summary>Repeated fit → transform → dispose cycles do not leak TorchSharp tensors or ONNX Runtime sessions.</summary>
[TestClass]
public sealed class MemoryTests
{
    public TestContext TestContext { get; set; } = null!;

    private sealed class Pair { public long UserId { get; set; } public long ItemId { get; set; } }
    private sealed class Scored { public float Score { get; set; } }

    private static long ResidentBytes()
    {
        for (int i = 0; i < 2; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
        using var self = Process.GetCurrentProcess();
        return self.WorkingSet64;
    }

    [TestMethod]
    public void TwoHundredFitTransformDisposeCyclesKeepResidentMemoryFlat()
    {
        const int Cycles = 200, WarmUp = 20;
        var table = TrainingFixtures.Interactions(users: 30, items: 20, perUser: 5);
        var data = table.DataView();
        long afterWarmUp = 0, liveTensors = 0;
        var samples = new List<long>();
        int ourTempFiles = Directory.GetFiles(Path.GetTempPath(), "mlnet-adv-*.onnx").Length;
        var clock = Stopwatch.StartNew();
        for (int cycle = 1; cycle <= Cycles; cycle++)
        {
            var ml = new MLContext(seed: cycle);
            var options = TrainingFixtures.FastOptions(epochs: 1);
            using (var model = ml.Adversarial().Trainers.Apr(options).Fit(data))
            {
                var scores = model.Transform(data).GetColumn<float>("Score").ToArray();
                Assert.AreEqual(table.Count, scores.Length);
                using var engine = ml.Adversarial().CreatePredictionEngine<Pair, Scored>(model);
                engine.Predict(new Pair { UserId = 1000, ItemId = 5000 });
            }
            if (cycle == WarmUp) { afterWarmUp = ResidentBytes(); liveTensors = TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount; }
            if (cycle > WarmUp && cycle % 20 == 0) samples.Add(ResidentBytes());
        }
        clock.Stop();
        long final = samples[^1];
        double growth = (double)(final - afterWarmUp) / afterWarmUp;
        TestContext.WriteLine($"{Cycles} cycles in {clock.Elapsed.TotalSeconds:F1}s; RSS after {WarmUp}: {afterWarmUp / 1048576.0:F0} MiB; " +
            $"every 20 after: {string.Join(", ", samples.Select(s => (s / 1048576.0).ToString("F0")))} MiB; growth {growth:P1}");
        Assert.AreEqual(ourTempFiles, Directory.GetFiles(Path.GetTempPath(), "mlnet-adv-*.onnx").Length, "each cycle's temporary ONNX file is deleted");
        Assert.AreEqual(liveTensors, TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount, "every TorchSharp tensor of a cycle is disposed");
        Assert.IsLessThan(0.10, growth, $"resident memory grew {growth:P1} over {Cycles - WarmUp} cycles");
    }
}
