using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Adversarial.Data;
using MLNet.Adversarial.Models;
using MLNet.Adversarial.Trainers;
using MLNet.Adversarial.Training;

namespace MLNet.Adversarial.Tests.Trainers;

[TestClass]
public sealed class IrganTrainerTests
{
    private sealed class Pair
    {
        public long UserId { get; set; }
        public long ItemId { get; set; }
    }

    private sealed class Scored
    {
        public float Score { get; set; }
    }

    /// <summary>A few BPR epochs and a short game on the fixture: seconds, not minutes.</summary>
    private static IrganTrainer.Options FastOptions(int rounds = 3) => new()
    {
        EmbeddingDimension = 8, Epochs = 4, BatchSize = 64, LearningRate = 0.05, Seed = 7, Device = TrainingDevice.Cpu,
        AdversarialEpochs = rounds, DiscriminatorEpochs = 2, GeneratorUsersPerBatch = 16,
        GeneratorLearningRate = 0.01, DiscriminatorLearningRate = 0.01, ValidationFraction = 0,
        UserColumnName = InteractionDataView.Columns.User, ItemColumnName = InteractionDataView.Columns.Item,
    };

    private static InteractionData FixtureData() => InteractionData.FromTable(TrainingFixtures.Interactions(), null);

    private static FactorizationModel Bpr(InteractionData data)
    {
        var options = TrainingFixtures.FastOptions(epochs: 4);
        return new MLContext(1).Adversarial().Trainers.Bpr(options).Train(data, null, 7, null, out _).Model;
    }

    private static float MaxDifference(float[] a, float[] b) => a.Zip(b, (x, y) => Math.Abs(x - y)).Max();

    [TestMethod]
    public void TheGameMovesTheGeneratorAwayFromItsInitialisation()
    {
        var data = FixtureData();
        var initial = Bpr(data);
        var options = FastOptions();
        options.InitialGenerator = initial;

        var result = new MLContext(1).Adversarial().Trainers.Irgan(options).Train(data, null, 7, null, out var checkpoint);

        Assert.AreEqual(3, result.History.Count, "no pre-training epochs when G is given");
        Assert.AreEqual(3, result.SelectedEpoch, "without validation the last round is kept");
        Assert.IsGreaterThan(1e-3f, MaxDifference(initial.UserFactors, result.Model.UserFactors), "G's user vectors moved");
        Assert.IsGreaterThan(1e-3f, MaxDifference(initial.ItemFactors, result.Model.ItemFactors), "G's item vectors moved");
        Assert.AreEqual(3, checkpoint.Epoch);
        // No round at all leaves G exactly where it started.
        options.AdversarialEpochs = 0;
        var unchanged = new MLContext(1).Adversarial().Trainers.Irgan(options).Train(data, null, 7, null, out _);
        CollectionAssert.AreEqual(initial.UserFactors, unchanged.Model.UserFactors);
    }

    [TestMethod]
    public void DiscriminatorAndGeneratorLossesAreReportedThroughProgressAndTheLog()
    {
        var ml = new MLContext(seed: 1);
        var messages = new List<string>();
        ml.Log += (_, e) => { lock (messages) messages.Add(e.Message); };
        var reports = new List<TrainingEpochReport>();
        var options = FastOptions();
        options.Progress = new SynchronousProgress(reports.Add);

        using var model = ml.Adversarial().Trainers.Irgan(options).Fit(TrainingFixtures.Interactions().DataView());

        Assert.AreEqual(4 + 3, reports.Count, "4 BPR pre-training epochs, then 3 rounds");
        CollectionAssert.AreEqual(Enumerable.Range(1, 7).ToArray(), reports.Select(r => r.Epoch).ToArray());
        Assert.IsTrue(reports.All(r => r.TotalEpochs == 7), "every report counts against the whole run");
        foreach (var pretraining in reports.Take(4))
        {
            Assert.IsNull(pretraining.DiscriminatorLoss);
            Assert.IsFalse(pretraining.Adversarial);
        }
        foreach (var round in reports.Skip(4))
        {
            Assert.IsTrue(round.Adversarial);
            Assert.IsTrue(round.DiscriminatorLoss is > 0 and < 10, $"D loss {round.DiscriminatorLoss}");
            Assert.IsTrue(double.IsFinite(round.Loss), $"G loss {round.Loss}");
            Assert.IsGreaterThan(0, round.Seconds);
            Assert.IsGreaterThan(0L, round.Pairs);
        }
        Assert.IsTrue(messages.Any(m => m.Contains("epoch 7/7 (adv): G loss", StringComparison.Ordinal) && m.Contains("D loss", StringComparison.Ordinal)),
            "the per-epoch line reaches MLContext.Log");
        Assert.IsTrue(messages.Any(m => m.Contains("pretraining: epoch 1/", StringComparison.Ordinal)), "the pre-training epochs are logged too");
        CollectionAssert.AreEqual(reports, model.Training.History.ToArray());
    }

    [TestMethod]
    public void FitTransformPredictionEngineAndSaveLoadGiveTheSameScores()
    {
        var ml = new MLContext(seed: 1);
        var table = TrainingFixtures.Interactions();
        var data = table.DataView();
        using var model = ml.Adversarial().Trainers.Irgan(FastOptions()).Fit(data);
        var factorization = model.Factorization();

        var scores = model.Transform(data).GetColumn<float>("Score").ToArray();
        var users = table.Users.Int64Values.ToArray();
        var items = table.Items.Int64Values.ToArray();
        for (int r = 0; r < scores.Length; r++)
            Assert.AreEqual(factorization.Score(users[r], items[r]), scores[r], 1e-5, $"row {r}");

        var engine = ml.Adversarial().CreatePredictionEngine<Pair, Scored>(model);
        Assert.AreEqual(factorization.Score(users[3], items[3]), engine.Predict(new Pair { UserId = users[3], ItemId = items[3] }).Score, 1e-5);
        Assert.AreEqual(factorization.Score(-1, -1), engine.Predict(new Pair { UserId = 999_999, ItemId = 1 }).Score, 1e-5, "unknown ids get the fallback rows");

        using var stream = new MemoryStream();
        ml.Model.Save(model, data.Schema, stream);
        stream.Position = 0;
        var loadContext = new MLContext(seed: 2);
        loadContext.Adversarial();
        var loaded = loadContext.Model.Load(stream, out _);
        var reloaded = loaded.Transform(data).GetColumn<float>("Score").ToArray();
        CollectionAssert.AreEqual(scores, reloaded);
        (loaded as IDisposable)?.Dispose();
        Assert.IsNotEmpty(model.ScorerOnnx);
        Assert.IsNotEmpty(model.TopKOnnx);
    }

    [TestMethod]
    public void ServingTheDiscriminatorChangesTheScores()
    {
        var table = TrainingFixtures.Interactions();
        var data = table.DataView();
        using var generator = new MLContext(seed: 1).Adversarial().Trainers.Irgan(FastOptions()).Fit(data);
        var options = FastOptions();
        options.ServeDiscriminator = true;
        using var discriminator = new MLContext(seed: 1).Adversarial().Trainers.Irgan(options).Fit(data);

        var g = generator.Transform(data).GetColumn<float>("Score").ToArray();
        var d = discriminator.Transform(data).GetColumn<float>("Score").ToArray();
        Assert.IsGreaterThan(1e-3f, MaxDifference(g, d), "D and G are different models");
        // Each transformer serves the model it carries.
        var users = table.Users.Int64Values.ToArray();
        var items = table.Items.Int64Values.ToArray();
        Assert.AreEqual(discriminator.Factorization().Score(users[0], items[0]), d[0], 1e-5);
        Assert.AreEqual(generator.Factorization().Score(users[0], items[0]), g[0], 1e-5);
    }

    [TestMethod]
    public void ValidationSelectsTheBestReportedEpoch()
    {
        var table = TrainingFixtures.Interactions();
        var split = HoldoutSplit.PerUser(table, 0.25, seed: 5);
        var options = FastOptions(rounds: 4);
        options.ValidationData = split.Holdout.DataView();
        options.ValidationK = 5;
        options.EarlyStoppingPatience = 0;

        using var model = new MLContext(seed: 1).Adversarial().Trainers.Irgan(options).Fit(split.Train.DataView());

        var history = model.Training.History;
        Assert.IsTrue(history.All(h => h.ValidationMetric is not null), "every pre-training epoch and round is validated");
        var selected = history.Single(h => h.Epoch == model.Training.SelectedEpoch);
        Assert.AreEqual(history.Max(h => h.ValidationMetric!.Value), selected.ValidationMetric!.Value, "the best validated epoch is kept");
        Assert.AreEqual(history.First(h => h.ValidationMetric == selected.ValidationMetric).Epoch, selected.Epoch, "ties keep the earlier epoch");
    }

    [TestMethod]
    public void BadOptionsThrowNamingTheOption()
    {
        var cases = new (string Name, Action<IrganTrainer.Options> Set)[]
        {
            (nameof(IrganTrainer.Options.Temperature), o => o.Temperature = 0),
            (nameof(IrganTrainer.Options.DiscriminatorSamplingTemperature), o => o.DiscriminatorSamplingTemperature = double.NaN),
            (nameof(IrganTrainer.Options.ImportanceMixWeight), o => o.ImportanceMixWeight = 1),
            (nameof(IrganTrainer.Options.GeneratorSamplesPerPositive), o => o.GeneratorSamplesPerPositive = 0),
            (nameof(IrganTrainer.Options.AdversarialEpochs), o => o.AdversarialEpochs = -1),
            (nameof(IrganTrainer.Options.GeneratorLearningRate), o => o.GeneratorLearningRate = 0),
            (nameof(IrganTrainer.Options.DiscriminatorLearningRate), o => o.DiscriminatorLearningRate = -1),
            (nameof(IrganTrainer.Options.DiscriminatorL2Regularization), o => o.DiscriminatorL2Regularization = -0.1),
            (nameof(IrganTrainer.Options.GeneratorUsersPerBatch), o => o.GeneratorUsersPerBatch = 0),
            (nameof(IrganTrainer.Options.ImportanceMix), o => o.ImportanceMix = (ImportanceSamplingMix)7),
            (nameof(IrganTrainer.Options.Privacy), o => o.Privacy = new PrivacyOptions()),
            (nameof(IrganTrainer.Options.EmbeddingDimension), o => o.EmbeddingDimension = 0),
        };
        foreach (var (name, set) in cases)
        {
            var options = FastOptions();
            set(options);
            var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new MLContext(1).Adversarial().Trainers.Irgan(options), name);
            Assert.AreEqual(name, e.ParamName);
            StringAssert.Contains(e.Message, name);
        }

        var data = FixtureData();
        var wrongSize = FastOptions();
        wrongSize.InitialGenerator = Bpr(data);
        wrongSize.EmbeddingDimension = 16;
        Assert.AreEqual(nameof(IrganTrainer.Options.InitialGenerator),
            Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new MLContext(1).Adversarial().Trainers.Irgan(wrongSize)).ParamName);
        var otherData = FastOptions();
        otherData.InitialGenerator = Bpr(InteractionData.FromTable(TrainingFixtures.Interactions(users: 30), null));
        var mismatch = Assert.ThrowsExactly<ArgumentException>(() => new MLContext(1).Adversarial().Trainers.Irgan(otherData).Train(data, null, 7, null, out _));
        StringAssert.Contains(mismatch.Message, "initial generator");
    }

    /// <summary>Reports on the training thread (<see cref="Progress{T}"/> would post to the thread pool).</summary>
    private sealed class SynchronousProgress(Action<TrainingEpochReport> report) : IProgress<TrainingEpochReport>
    {
        public void Report(TrainingEpochReport value) => report(value);
    }
}
