using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Adversarial.Models;
using MLNet.Adversarial.Data;
using MLNet.Adversarial.Serving;
using MLNet.Adversarial.Tests.Hybrid;
using MLNet.Adversarial.Tests.Serving;
using MLNet.Adversarial.Trainers;
using MLNet.Adversarial.Training;

namespace MLNet.Adversarial.Tests.Trainers;

/// <summary>
/// The contract every trainer keeps, checked on each of them (BPR, APR, hybrid, privacy, IRGAN, CFGAN) with the same
/// code: the output schema, Save/Load in a fresh process, bad input, concurrent prediction engines, and resume (a run
/// cancelled at an epoch of the validated run or of the refit, then resumed, writes the uninterrupted run's files byte
/// for byte). Every trainer here uses the default internal validation split and refit, with a short patience, so the
/// phase switches, early stopping and the refit all take part.
/// </summary>
[TestClass]
public sealed class TrainerContractTests
{
    public static IEnumerable<object[]> Trainers => new[] { "bpr", "apr", "hybrid", "privacy", "irgan", "cfgan" }.Select(t => new object[] { t });

    public TestContext TestContext { get; set; } = null!;

    private static readonly InteractionTable Table = TrainingFixtures.Interactions();

    private sealed class Pair { public long UserId { get; set; } public long ItemId { get; set; } }
    private sealed class Scored { public float Score { get; set; } }

    /// <summary>The trainer's estimator on tiny options; <paramref name="configure"/> sets the run's checkpoint, resume and progress options.</summary>
    private static IEstimator<RecommenderTransformer> Trainer(MLContext ml, string trainer, Action<RecommenderTrainerOptions>? configure = null)
    {
        void Common(RecommenderTrainerOptions o)
        {
            o.Seed = 7;
            o.Device = TrainingDevice.Cpu;
            o.ValidationFraction = 0.25;
            o.EarlyStoppingPatience = 2;
            o.UserColumnName = InteractionDataView.Columns.User;
            o.ItemColumnName = InteractionDataView.Columns.Item;
            configure?.Invoke(o);
        }
        AprTrainer.Options Factorization(int epochs, double adversarialWeight)
        {
            var o = TrainingFixtures.FastOptions(epochs);
            o.AdversarialStartEpoch = null; // the warm-up ends when validation stops improving
            o.AdversarialWeight = adversarialWeight;
            Common(o);
            return o;
        }
        var catalog = ml.Adversarial().Trainers;
        switch (trainer)
        {
            case "bpr": return catalog.Bpr(Factorization(8, 0));
            case "apr": return catalog.Apr(Factorization(10, 1));
            case "hybrid":
            {
                var o = Factorization(10, 1);
                o.ItemText = HybridFixtures.ItemText(items: 40);
                return catalog.Apr(o);
            }
            case "privacy":
            {
                var o = Factorization(8, 0);
                o.Privacy = new PrivacyOptions
                {
                    SensitiveAttributes = new SensitiveAttributes(Enumerable.Range(0, 60).Select(u =>
                        new KeyValuePair<string, string>((1000 + u).ToString(CultureInfo.InvariantCulture), u % 3 == 0 ? "x" : "y")), "fixture"),
                    AdversaryHiddenSize = 8, StartEpoch = 2,
                };
                return catalog.Bpr(o);
            }
            case "irgan":
            {
                var o = new IrganTrainer.Options
                {
                    EmbeddingDimension = 8, Epochs = 4, BatchSize = 64, LearningRate = 0.05, AdversarialEpochs = 4, DiscriminatorEpochs = 1,
                    GeneratorUsersPerBatch = 16, GeneratorLearningRate = 0.01, DiscriminatorLearningRate = 0.01,
                };
                Common(o);
                return catalog.Irgan(o);
            }
            case "cfgan":
            {
                var o = new CfganTrainer.Options
                {
                    Orientation = CfganOrientation.UserBased, Epochs = 6, GeneratorHiddenSize = 16, DiscriminatorHiddenSize = 16, GeneratorLearningRate = 0.01, DiscriminatorLearningRate = 0.01,
                    GeneratorBatchSize = 16, DiscriminatorBatchSize = 16, GeneratorAveragingDecay = 0.5, NoiseDimension = 2, ConditionDropout = 0.2,
                };
                Common(o);
                return catalog.Cfgan(o);
            }
            default: throw new ArgumentOutOfRangeException(nameof(trainer));
        }
    }

    private static (byte[] Scorer, byte[] TopK, byte[] Model) Files(RecommenderTransformer model)
    {
        using var bin = new MemoryStream();
        model.Model.Save(bin);
        return (model.ScorerOnnx, model.TopKOnnx, bin.ToArray());
    }

    [TestMethod]
    [DynamicData(nameof(Trainers))]
    public void OutputSchemaAddsASingleScoreColumn(string trainer)
    {
        var ml = new MLContext(seed: 1);
        var data = Table.DataView();
        var estimator = Trainer(ml, trainer);
        using var model = estimator.Fit(data);
        var output = model.Transform(data);
        Assert.AreEqual(NumberDataViewType.Single, output.Schema["Score"].Type);
        var scores = output.GetColumn<float>("Score").ToArray();
        Assert.HasCount(Table.Count, scores);
        Assert.IsTrue(scores.All(float.IsFinite));
        Assert.IsTrue(scores.Distinct().Count() > 1, "the scores depend on the pair");
        Assert.IsNotNull(model.Training.ModelSelection, "the default is a refit on all rows after selection on the internal split");
        Assert.AreEqual(model.Training.ModelSelection!.Schedule().Epochs, model.Training.History.Count, "the refit replays the selected schedule");
    }

    [TestMethod]
    [DynamicData(nameof(Trainers))]
    public void SavedModelScoresIdenticallyInAFreshProcess(string trainer)
    {
        var ml = new MLContext(seed: 1);
        var data = Table.DataView();
        using var model = Trainer(ml, trainer).Fit(data);
        var expected = model.Transform(data).GetColumn<float>("Score").ToArray();
        var folder = Directory.CreateTempSubdirectory("mlnet-adv-contract-").FullName;
        try
        {
            var zip = Path.Combine(folder, "model.zip");
            ml.Model.Save(model, data.Schema, zip);
            var pairs = Path.Combine(folder, "pairs.tsv");
            File.WriteAllLines(pairs, Enumerable.Range(0, Table.Count).Select(r => $"{Table.Users.Int64Values[r]}\t{Table.Items.Int64Values[r]}"));
            var (exit, stdout, stderr) = FreshProcessLoadTests.RunCli("score", "--model", zip, "--input", pairs);
            Assert.AreEqual(0, exit, stderr);
            var scores = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => float.Parse(l.Split('\t')[2], CultureInfo.InvariantCulture)).ToArray();
            CollectionAssert.AreEqual(expected, scores, "bit-identical scores in a fresh process");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [TestMethod]
    [DynamicData(nameof(Trainers))]
    public void BadInputIsAnErrorNamingTheColumnOrOption(string trainer)
    {
        var ml = new MLContext(seed: 1);
        var missing = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Trainer(ml, trainer, o => o.UserColumnName = "NoSuchColumn").Fit(Table.DataView()));
        StringAssert.Contains(missing.Message, "NoSuchColumn");
        var badFraction = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Trainer(ml, trainer, o => o.ValidationFraction = 1));
        StringAssert.Contains(badFraction.Message, "ValidationFraction");
        var empty = new InteractionTable(IdColumn.OfInt64([]), IdColumn.OfInt64([]), null, "empty");
        Assert.ThrowsExactly<ArgumentException>(() => Trainer(ml, trainer).Fit(empty.DataView()));
    }

    [TestMethod]
    [DynamicData(nameof(Trainers))]
    public void ConcurrentPredictionEnginesGiveTheSingleThreadedScores(string trainer)
    {
        var ml = new MLContext(seed: 1);
        using var model = Trainer(ml, trainer).Fit(Table.DataView());
        var requests = Enumerable.Range(0, 400).Select(r => new Pair
        {
            UserId = r % 37 == 0 ? 99_999 : Table.Users.Int64Values[r % Table.Count],
            ItemId = Table.Items.Int64Values[(r * 7) % Table.Count],
        }).ToArray();
        float[] reference;
        using (var engine = ml.Adversarial().CreatePredictionEngine<Pair, Scored>(model))
            reference = requests.Select(p => engine.Predict(p).Score).ToArray();
        int mismatches = 0;
        Parallel.For(0, 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, _ =>
        {
            using var engine = ml.Adversarial().CreatePredictionEngine<Pair, Scored>(model);
            for (int round = 0; round < 5; round++)
                for (int r = 0; r < requests.Length; r++)
                    if (engine.Predict(requests[r]).Score != reference[r]) Interlocked.Increment(ref mismatches);
        });
        Assert.AreEqual(0, mismatches);
    }

    [TestMethod]
    [DynamicData(nameof(Trainers))]
    public void CancelledAndResumedRunsWriteTheUninterruptedFilesByteForByte(string trainer)
    {
        var ml = new MLContext(seed: 1);
        var data = Table.DataView();
        int reports = 0;
        using var straight = Trainer(ml, trainer, o => o.Progress = new SynchronousProgress<TrainingEpochReport>(_ => reports++)).Fit(data);
        var expected = Files(straight);
        int selection = straight.Training.ModelSelection!.History.Count, refit = straight.Training.History.Count;
        TestContext.WriteLine($"{trainer}: validated run {selection} epochs (phase switches {string.Join(",", straight.Training.ModelSelection.PhaseSwitchEpochs)}), " +
            $"selected {straight.Training.SelectedEpoch}, refit {refit} epochs");
        Assert.AreEqual(selection + refit, reports);
        Assert.IsGreaterThan(2, selection, "the validated run must be long enough to be cut");

        // Cut in the validated run, and (when the refit has epochs to spare) in the refit.
        var cuts = new List<int> { 2 };
        if (refit >= 2) cuts.Add(selection + 1);
        foreach (int cut in cuts)
        {
            var dir = Directory.CreateTempSubdirectory("mlnet-adv-resume-").FullName;
            try
            {
                using var cancel = new CancellationTokenSource();
                int seen = 0;
                Assert.ThrowsExactly<OperationCanceledException>(() => Trainer(ml, trainer, o =>
                {
                    o.CheckpointDirectory = dir;
                    o.CancellationToken = cancel.Token;
                    o.Progress = new SynchronousProgress<TrainingEpochReport>(_ => { if (++seen == cut) cancel.Cancel(); });
                }).Fit(data));
                var checkpoint = TrainingCheckpoint.Load(Path.Combine(dir, RecommenderTrainerOptions.CheckpointFileName));
                Assert.AreEqual(cut > selection, checkpoint.IsRefit, $"cut after report {cut}");
                Assert.AreEqual(cut > selection ? cut - selection : cut, checkpoint.Epoch);

                using var resumed = Trainer(ml, trainer, o => o.ResumeFrom = checkpoint).Fit(data);
                var actual = Files(resumed);
                CollectionAssert.AreEqual(expected.Scorer, actual.Scorer, $"scorer.onnx after a cut at report {cut}");
                CollectionAssert.AreEqual(expected.TopK, actual.TopK, $"topk.onnx after a cut at report {cut}");
                CollectionAssert.AreEqual(expected.Model, actual.Model, $"model.bin after a cut at report {cut}");
                Assert.AreEqual(straight.Training.SelectedEpoch, resumed.Training.SelectedEpoch);
                CollectionAssert.AreEqual(straight.Training.History.Select(h => h.Loss).ToArray(), resumed.Training.History.Select(h => h.Loss).ToArray());
            }
            finally
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }
}
