using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using MLNet.Adversarial.Data;
using MLNet.Adversarial.Onnx;
using MLNet.Adversarial.Tests.Trainers;

namespace MLNet.Adversarial.Tests.Reliability;

/// <summary>8 threads × 100,000 requests against one loaded model give the single-threaded scores, bit for bit.</summary>
[TestClass]
public sealed class ConcurrencyTests
{
    private const int Threads = 8;
    private const int Requests = 100_000;
    private const int DistinctPairs = 4_000;

    public TestContext TestContext { get; set; } = null!;

    private sealed class Pair { public long UserId { get; set; } public long ItemId { get; set; } }
    private sealed class Scored { public float Score { get; set; } }

    /// <summary>Request r asks for pair r mod DistinctPairs (users and items, some unknown to the model).</summary>
    private static (long[] Users, long[] Items) RequestPool(InteractionTable table)
    {
        var rng = new Random(11);
        var users = new long[DistinctPairs];
        var items = new long[DistinctPairs];
        for (int p = 0; p < DistinctPairs; p++)
        {
            users[p] = p % 50 == 0 ? 77_777 : table.Users.Int64Values[rng.Next(table.Count)];
            items[p] = p % 70 == 0 ? -3 : table.Items.Int64Values[rng.Next(table.Count)];
        }
        return (users, items);
    }

    [TestMethod]
    public void PredictionEnginePerThreadOnOneLoadedModelMatchesOneThread()
    {
        var ml = new MLContext(seed: 1);
        var table = TrainingFixtures.Interactions();
        var path = Path.Combine(Path.GetTempPath(), $"mlnet-adv-conc-{Guid.NewGuid():N}.zip");
        using (var trained = ml.Adversarial().Trainers.Apr(TrainingFixtures.FastOptions(epochs: 2)).Fit(table.DataView()))
            ml.Model.Save(trained, table.DataView().Schema, path);
        var loaded = ml.Adversarial().LoadModel(path, out _);
        File.Delete(path);
        try
        {
            var (users, items) = RequestPool(table);
            var reference = new float[DistinctPairs];
            using (var engine = ml.Adversarial().CreatePredictionEngine<Pair, Scored>(loaded))
                for (int p = 0; p < DistinctPairs; p++) reference[p] = engine.Predict(new Pair { UserId = users[p], ItemId = items[p] }).Score;

            var clock = Stopwatch.StartNew();
            int mismatches = 0;
            Parallel.For(0, Threads, new ParallelOptions { MaxDegreeOfParallelism = Threads }, t =>
            {
                using var engine = ml.Adversarial().CreatePredictionEngine<Pair, Scored>(loaded);
                var request = new Pair();
                for (int r = t; r < Requests; r += Threads)
                {
                    int p = r % DistinctPairs;
                    request.UserId = users[p];
                    request.ItemId = items[p];
                    if (BitConverter.SingleToInt32Bits(engine.Predict(request).Score) != BitConverter.SingleToInt32Bits(reference[p]))
                        Interlocked.Increment(ref mismatches);
                }
            });
            clock.Stop();
            TestContext.WriteLine($"PredictionEngine: {Requests} requests on {Threads} threads in {clock.Elapsed.TotalSeconds:F2}s ({Requests / clock.Elapsed.TotalSeconds:N0}/s)");
            Assert.AreEqual(0, mismatches);
        }
        finally
        {
            (loaded as IDisposable)?.Dispose();
        }
    }

    [TestMethod]
    public void DisposingOneEngineLeavesTheSharedModelUsable()
    {
        var ml = new MLContext(seed: 1);
        using var model = ml.Adversarial().Trainers.Apr(TrainingFixtures.FastOptions(epochs: 1)).Fit(TrainingFixtures.Interactions().DataView());
        var request = new Pair { UserId = 1000, ItemId = 5000 };
        float expected = model.Factorization().Score(1000L, 5000L);
        using (var first = ml.Adversarial().CreatePredictionEngine<Pair, Scored>(model))
            Assert.AreEqual(expected, first.Predict(request).Score, 1e-5);
        using var second = ml.Adversarial().CreatePredictionEngine<Pair, Scored>(model);
        Assert.AreEqual(expected, second.Predict(request).Score, 1e-5);
    }

    [TestMethod]
    public void SharedOnnxRuntimeSessionMatchesOneThread()
    {
        var ml = new MLContext(seed: 1);
        var table = TrainingFixtures.Interactions();
        using var trained = ml.Adversarial().Trainers.Apr(TrainingFixtures.FastOptions(epochs: 2)).Fit(table.DataView());
        OnnxModelFile.Validate(trained.ScorerOnnx, "scorer.onnx", OnnxMetadataKeys.PairwiseScorerContract);
        using var options = new SessionOptions { IntraOpNumThreads = 1 };
        using var session = new InferenceSession(trained.ScorerOnnx, options);
        var (users, items) = RequestPool(table);

        float Score(long user, long item)
        {
            using var results = session.Run([
                NamedOnnxValue.CreateFromTensor(OnnxContract.UserInput, new DenseTensor<long>(new[] { user }, [1])),
                NamedOnnxValue.CreateFromTensor(OnnxContract.ItemInput, new DenseTensor<long>(new[] { item }, [1])),
            ]);
            return results.First().AsEnumerable<float>().Single();
        }

        var reference = new float[DistinctPairs];
        for (int p = 0; p < DistinctPairs; p++) reference[p] = Score(users[p], items[p]);
        for (int p = 0; p < 50; p++) Assert.AreEqual(trained.Factorization().Score(users[p], items[p]), reference[p], 1e-5);

        var clock = Stopwatch.StartNew();
        int mismatches = 0;
        Parallel.For(0, Threads, new ParallelOptions { MaxDegreeOfParallelism = Threads }, t =>
        {
            for (int r = t; r < Requests; r += Threads)
            {
                int p = r % DistinctPairs;
                if (BitConverter.SingleToInt32Bits(Score(users[p], items[p])) != BitConverter.SingleToInt32Bits(reference[p]))
                    Interlocked.Increment(ref mismatches);
            }
        });
        clock.Stop();
        TestContext.WriteLine($"shared InferenceSession: {Requests} requests on {Threads} threads in {clock.Elapsed.TotalSeconds:F2}s ({Requests / clock.Elapsed.TotalSeconds:N0}/s)");
        Assert.AreEqual(0, mismatches);
    }
}
