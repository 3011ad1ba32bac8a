using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Adversarial.Data;
using MLNet.Adversarial.Evaluation;
using MLNet.Adversarial.Models;
using MLNet.Adversarial.Serving;
using MLNet.Adversarial.Trainers;
using MLNet.Adversarial.Training;

namespace MLNet.Adversarial.Tests.Trainers;

[TestClass]
public sealed class CfganTrainerTests
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

    /// <summary>Small networks and a short game on the fixture: seconds, not minutes.</summary>
    internal static CfganTrainer.Options FastOptions(int rounds = 12) => new()
    {
        Orientation = CfganOrientation.UserBased, // the tests' user-based expectations (purchase vectors); item-based ones set it
        Epochs = rounds, GeneratorHiddenSize = 16, DiscriminatorHiddenSize = 16, GeneratorLearningRate = 0.01, DiscriminatorLearningRate = 0.01,
        GeneratorBatchSize = 16, DiscriminatorBatchSize = 16, GeneratorAveragingDecay = 0, ValidationFraction = 0, Seed = 7, Device = TrainingDevice.Cpu, MinRating = 4,
        UserColumnName = InteractionDataView.Columns.User, ItemColumnName = InteractionDataView.Columns.Item,
        RatingColumnName = InteractionDataView.Columns.Rating,
    };

    private static CfganModel Model(RecommenderTransformer transformer) => (CfganModel)transformer.Model;

    private static InteractionData FixtureData() => InteractionData.FromTable(TrainingFixtures.Interactions(), 4);

    private static float[] Weights(CfganModel model) => model.GeneratorLayers.SelectMany(l => l.Weights.Concat(l.Bias)).ToArray();

    [TestMethod]
    [DataRow(CfganOrientation.UserBased)]
    [DataRow(CfganOrientation.ItemBased)]
    public void TrainsOnPlantedGroupsAndBeatsRandomOnAHeldOutSplit(CfganOrientation orientation)
    {
        var table = TrainingFixtures.Interactions(users: 80);
        var split = HoldoutSplit.PerUser(table, 0.25, seed: 5, minRating: 4);
        var users = IdVocabulary.FromColumn(table.Users);
        var items = IdVocabulary.FromColumn(table.Items);
        var train = InteractionData.FromTable(split.Train, users, items, 4, out _);
        var test = InteractionData.FromTable(split.Holdout, users, items, 4, out _);

        var options = FastOptions(rounds: 40);
        options.Orientation = orientation;
        var result = new MLContext(1).Adversarial().Trainers.Cfgan(options).Train(train, null, 7, null);
        Assert.AreEqual(orientation, result.Model.Orientation);

        var evaluator = new RankingEvaluator(new RankingEvaluator.Options { Ks = [5] });
        var model = evaluator.Evaluate(new RecommenderModelScorer(result.Model, users, items), train, test).At(5).Ndcg;
        var random = evaluator.Evaluate(new RandomItemScorer(items.Count, seed: 3), train, test).At(5).Ndcg;
        var popularity = evaluator.Evaluate(new ItemPopularity(train), train, test).At(5).Ndcg;
        Assert.IsGreaterThan(1.5 * random, model, $"CFGAN NDCG@5 {model:F3} vs random {random:F3}");
        Assert.IsGreaterThan(popularity + 0.03, model, $"CFGAN NDCG@5 {model:F3} vs ItemPop {popularity:F3}: the groups are learnt, not just popularity");
        Assert.AreEqual(40, result.History.Count);
        Assert.AreEqual(40, result.SelectedEpoch, "without validation the last round is kept");
    }

    [TestMethod]
    public void DiscriminatorAndGeneratorLossesAreReportedThroughProgressAndTheLog()
    {
        var ml = new MLContext(seed: 1);
        var messages = new List<string>();
        ml.Log += (_, e) => { lock (messages) messages.Add(e.Message); };
        var reports = new List<TrainingEpochReport>();
        var table = TrainingFixtures.Interactions();
        var split = HoldoutSplit.PerUser(table, 0.2, seed: 5, minRating: 4);
        var options = FastOptions(rounds: 4);
        options.Progress = new SynchronousProgress<TrainingEpochReport>(reports.Add);
        options.ValidationData = split.Holdout.DataView();
        options.EarlyStoppingPatience = 0;

        using var model = ml.Adversarial().Trainers.Cfgan(options).Fit(split.Train.DataView());

        CollectionAssert.AreEqual(new[] { 1, 2, 3, 4 }, reports.Select(r => r.Epoch).ToArray());
        foreach (var round in reports)
        {
            Assert.AreEqual(4, round.TotalEpochs);
            Assert.IsTrue(round.Adversarial);
            Assert.IsTrue(round.DiscriminatorLoss is > 0 and < 10, $"D loss {round.DiscriminatorLoss}");
            Assert.IsTrue(double.IsFinite(round.Loss) && round.Loss > 0, $"G loss {round.Loss}");
            Assert.IsTrue(round.ValidationMetric is >= 0 and <= 1, $"validation {round.ValidationMetric}");
            Assert.IsGreaterThan(0, round.Seconds);
        }
        Assert.IsTrue(messages.Any(m => m.Contains("epoch 4/4 (adv): G loss", StringComparison.Ordinal) && m.Contains("D loss", StringComparison.Ordinal)
            && m.Contains("validation", StringComparison.Ordinal)), "the per-round line reaches MLContext.Log");
        CollectionAssert.AreEqual(reports, model.Training.History.ToArray());
        var selected = reports.Single(r => r.Epoch == model.Training.SelectedEpoch);
        Assert.AreEqual(reports.Max(r => r.ValidationMetric!.Value), selected.ValidationMetric!.Value, "the best validated round is kept");
    }

    [TestMethod]
    public void PartialMaskingZeroReconstructionAndAveragingEachChangeTraining()
    {
        var data = FixtureData();
        CfganModel Train(Action<CfganTrainer.Options> configure)
        {
            var options = FastOptions(rounds: 3);
            configure(options);
            return new MLContext(1).Adversarial().Trainers.Cfgan(options).Train(data, null, 7, null).Model;
        }

        var baseline = Weights(Train(_ => { }));
        CollectionAssert.AreEqual(baseline, Weights(Train(_ => { })), "training is deterministic, so any difference below comes from the option");
        foreach (var (name, configure) in new (string, Action<CfganTrainer.Options>)[]
        {
            ("no partial masking", o => o.PartialMaskingRatio = 0),
            ("another PM ratio", o => o.PartialMaskingRatio = 0.3),
            ("no zero reconstruction", o => o.ZeroReconstructionRatio = 0),
            ("another ZR ratio", o => o.ZeroReconstructionRatio = 0.3),
            ("another ZR weight", o => o.ZeroReconstructionWeight = 0.3),
            ("generator averaging", o => o.GeneratorAveragingDecay = 0.9),
            ("noise inputs", o => o.NoiseDimension = 4),
            ("condition dropout", o => o.ConditionDropout = 0.3),
            ("sigmoid output", o => o.SigmoidOutput = true),
            ("item-based", o => o.Orientation = CfganOrientation.ItemBased),
        })
        {
            var changed = Weights(Train(configure));
            Assert.IsTrue(changed.Length != baseline.Length || baseline.Zip(changed, (a, b) => Math.Abs(a - b)).Max() > 1e-4f, name);
        }
    }

    [TestMethod]
    public void ScoresComeFromThePurchaseVector()
    {
        var data = FixtureData();
        var model = new MLContext(1).Adversarial().Trainers.Cfgan(FastOptions(rounds: 3)).Train(data, null, 7, null).Model;
        var scores = new float[model.Items.Count];
        var fromVector = new float[model.Items.Count];
        for (int u = 0; u < model.Users.Count; u += 7)
        {
            model.ScoreAllItems(u, scores);
            var purchases = model.PurchaseVector(data.ItemsOf(u).ToArray().Select(i => model.Items.Int64Ids[i]).Append(-12345L));
            Assert.AreEqual(data.ItemsOf(u).Length, (int)purchases.Sum(), "unknown item ids are ignored");
            model.ScorePurchaseVector(purchases, fromVector);
            CollectionAssert.AreEqual(scores, fromVector, $"user {u}");
            for (int i = 0; i < scores.Length; i += 5) Assert.AreEqual(scores[i], model.Score(u, i), 1e-5);
        }
        // An unknown user has no purchases.
        model.ScoreAllItems(-1, scores);
        model.ScorePurchaseVector(new float[model.Items.Count], fromVector);
        CollectionAssert.AreEqual(scores, fromVector);
        Assert.AreEqual(scores[0], model.Score(999_999L, model.Items.Int64Ids[0]), 1e-6);
    }

    [TestMethod]
    public void FitTransformPredictionEngineAndSaveLoadGiveTheSameScores()
    {
        var ml = new MLContext(seed: 1);
        var table = TrainingFixtures.Interactions();
        var data = table.DataView();
        using var model = ml.Adversarial().Trainers.Cfgan(FastOptions(rounds: 3)).Fit(data);
        var cfgan = Model(model);

        var scores = model.Transform(data).GetColumn<float>("Score").ToArray();
        var users = table.Users.Int64Values.ToArray();
        var items = table.Items.Int64Values.ToArray();
        for (int r = 0; r < scores.Length; r++)
            Assert.AreEqual(cfgan.Score(users[r], items[r]), scores[r], 1e-5, $"row {r}");

        var engine = ml.Adversarial().CreatePredictionEngine<Pair, Scored>(model);
        Assert.AreEqual(cfgan.Score(users[3], items[3]), engine.Predict(new Pair { UserId = users[3], ItemId = items[3] }).Score, 1e-5);
        Assert.AreEqual(cfgan.Score(-1, -1), engine.Predict(new Pair { UserId = 999_999, ItemId = 1 }).Score, 1e-5, "unknown ids: no purchases, mean output row");

        using (var stream = new MemoryStream())
        {
            ml.Model.Save(model, data.Schema, stream);
            stream.Position = 0;
            var loadContext = new MLContext(seed: 2);
            loadContext.Adversarial();
            var loaded = loadContext.Model.Load(stream, out _);
            CollectionAssert.AreEqual(scores, loaded.Transform(data).GetColumn<float>("Score").ToArray());
            (loaded as IDisposable)?.Dispose();
        }

        using (var stream = new MemoryStream())
        {
            cfgan.Save(stream);
            stream.Position = 0;
            var reloaded = RecommenderModelFile.Load(stream);
            Assert.IsInstanceOfType<CfganModel>(reloaded);
            var a = new float[cfgan.Items.Count];
            var b = new float[cfgan.Items.Count];
            for (int u = -1; u < cfgan.Users.Count; u++)
            {
                cfgan.ScoreAllItems(u, a);
                reloaded.ScoreAllItems(u, b);
                CollectionAssert.AreEqual(a, b, $"user {u}");
            }
        }
    }

    [TestMethod]
    public void ItemBasedModelsSaveLoadAndServeThroughMlNet()
    {
        var ml = new MLContext(seed: 1);
        var table = TrainingFixtures.Interactions();
        var data = table.DataView();
        var options = FastOptions(rounds: 3);
        options.Orientation = CfganOrientation.ItemBased;
        using var model = ml.Adversarial().Trainers.Cfgan(options).Fit(data);
        var cfgan = Model(model);
        Assert.AreEqual(CfganOrientation.ItemBased, cfgan.Orientation);

        var scores = model.Transform(data).GetColumn<float>("Score").ToArray();
        var users = table.Users.Int64Values.ToArray();
        var items = table.Items.Int64Values.ToArray();
        for (int r = 0; r < scores.Length; r++)
            Assert.AreEqual(cfgan.Score(users[r], items[r]), scores[r], 1e-5, $"row {r}");
        var all = new float[cfgan.Items.Count];
        cfgan.ScoreAllItems(3, all);
        for (int i = 0; i < all.Length; i++) Assert.AreEqual(cfgan.Score(3, i), all[i], 1e-5);

        using var stream = new MemoryStream();
        cfgan.Save(stream);
        stream.Position = 0;
        var reloaded = (CfganModel)RecommenderModelFile.Load(stream);
        Assert.AreEqual(CfganOrientation.ItemBased, reloaded.Orientation);
        var again = new float[cfgan.Items.Count];
        for (int u = -1; u < cfgan.Users.Count; u++)
        {
            cfgan.ScoreAllItems(u, all);
            reloaded.ScoreAllItems(u, again);
            CollectionAssert.AreEqual(all, again, $"user {u}");
        }
    }

    [TestMethod]
    public void ValidationRowsJoinThePurchaseVectorsOfTheFittedModel()
    {
        var table = TrainingFixtures.Interactions();
        var split = HoldoutSplit.PerUser(table, 0.25, seed: 5, minRating: 4);
        var options = FastOptions(rounds: 2);
        options.ValidationData = split.Holdout.DataView();

        using var model = new MLContext(1).Adversarial().Trainers.Cfgan(options).Fit(split.Train.DataView());

        var cfgan = Model(model);
        var all = InteractionData.FromTable(table, cfgan.Users, cfgan.Items, 4, out int unknown);
        Assert.AreEqual(0, unknown);
        Assert.AreEqual(all.Count, cfgan.Purchases.Count, "the served model conditions on every known positive");
        Assert.AreEqual(model.TrainingData.Count + InteractionData.FromTable(split.Holdout, cfgan.Users, cfgan.Items, 4, out _).Count, cfgan.Purchases.Count);
    }

    [TestMethod]
    public void TheNetworkTheTrainerExportsScoresAsTheTorchSharpGenerator()
    {
        // The C# model (and so the ONNX graphs, tested against it) computes what the trained TorchSharp network computes.
        var data = FixtureData();
        MLNet.Adversarial.Runtime.TorchSharpNativeLoader.EnsureLoaded();
        CompareWithTorch(data);
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static void CompareWithTorch(InteractionData data)
    {
        foreach (var orientation in new[] { CfganOrientation.UserBased, CfganOrientation.ItemBased })
            foreach (bool sigmoid in new[] { false, true })
            {
                // The generator's rows: users, or items when item-based (their purchase vectors over the users).
                var rows = orientation == CfganOrientation.UserBased ? data : data.Transposed();
                int width = rows.Items.Count;
                using var generator = new SigmoidMlp("g", width, [12, 9], width, new Random(3), TorchSharp.torch.CPU);
                var model = new CfganModel(data, generator.Export(), sigmoid, orientation);
                var conditions = new float[rows.Users.Count * width];
                for (int r = 0; r < rows.Users.Count; r++)
                    foreach (var c in rows.ItemsOf(r)) conditions[r * width + c] = 1;
                using var scope = TorchSharp.torch.NewDisposeScope();
                var logits = generator.Forward(TorchSharp.torch.tensor(conditions, [rows.Users.Count, width]));
                var expected = (sigmoid ? logits.sigmoid() : logits).data<float>().ToArray();
                var scores = new float[data.Items.Count];
                for (int u = 0; u < data.Users.Count; u++)
                {
                    model.ScoreAllItems(u, scores);
                    for (int i = 0; i < scores.Length; i++)
                    {
                        float torchScore = orientation == CfganOrientation.UserBased ? expected[u * width + i] : expected[i * width + u];
                        Assert.AreEqual(torchScore, scores[i], 1e-5, $"user {u}, item {i}, {orientation}, sigmoid {sigmoid}");
                    }
                }
            }
    }

    [TestMethod]
    public void BadOptionsThrowNamingTheOption()
    {
        var cases = new (string Name, Action<CfganTrainer.Options> Set)[]
        {
            (nameof(CfganTrainer.Options.Epochs), o => o.Epochs = -1),
            (nameof(CfganTrainer.Options.Orientation), o => o.Orientation = (CfganOrientation)5),
            (nameof(CfganTrainer.Options.GeneratorHiddenSize), o => o.GeneratorHiddenSize = 0),
            (nameof(CfganTrainer.Options.GeneratorHiddenLayers), o => o.GeneratorHiddenLayers = 0),
            (nameof(CfganTrainer.Options.DiscriminatorHiddenSize), o => o.DiscriminatorHiddenSize = -3),
            (nameof(CfganTrainer.Options.DiscriminatorHiddenLayers), o => o.DiscriminatorHiddenLayers = 17),
            (nameof(CfganTrainer.Options.GeneratorLearningRate), o => o.GeneratorLearningRate = 0),
            (nameof(CfganTrainer.Options.DiscriminatorLearningRate), o => o.DiscriminatorLearningRate = double.NaN),
            (nameof(CfganTrainer.Options.GeneratorL2Regularization), o => o.GeneratorL2Regularization = -1),
            (nameof(CfganTrainer.Options.DiscriminatorL2Regularization), o => o.DiscriminatorL2Regularization = double.PositiveInfinity),
            (nameof(CfganTrainer.Options.GeneratorSteps), o => o.GeneratorSteps = 0),
            (nameof(CfganTrainer.Options.DiscriminatorSteps), o => o.DiscriminatorSteps = -1),
            (nameof(CfganTrainer.Options.GeneratorBatchSize), o => o.GeneratorBatchSize = 0),
            (nameof(CfganTrainer.Options.DiscriminatorBatchSize), o => o.DiscriminatorBatchSize = 0),
            (nameof(CfganTrainer.Options.PartialMaskingRatio), o => o.PartialMaskingRatio = 1.5),
            (nameof(CfganTrainer.Options.ZeroReconstructionRatio), o => o.ZeroReconstructionRatio = -0.1),
            (nameof(CfganTrainer.Options.ZeroReconstructionWeight), o => o.ZeroReconstructionWeight = -1),
            (nameof(CfganTrainer.Options.GeneratorAveragingDecay), o => o.GeneratorAveragingDecay = 1),
            (nameof(CfganTrainer.Options.NoiseDimension), o => o.NoiseDimension = -1),
            (nameof(CfganTrainer.Options.ConditionDropout), o => o.ConditionDropout = 1),
            (nameof(CfganTrainer.Options.ConditionDropout), o => o.ConditionDropout = double.NaN),
            (nameof(CfganTrainer.Options.TopK), o => o.TopK = 0),
            (nameof(CfganTrainer.Options.UserColumnName), o => o.UserColumnName = " "),
        };
        foreach (var (name, set) in cases)
        {
            var options = FastOptions();
            set(options);
            var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new MLContext(1).Adversarial().Trainers.Cfgan(options), name);
            Assert.AreEqual(name, e.ParamName);
            StringAssert.Contains(e.Message, name);
        }
        var onlyOneItem = InteractionData.FromTable(new InteractionTable(IdColumn.OfInt64([1, 2]), IdColumn.OfInt64([5, 5]), null, "one item"), null);
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() =>
            new MLContext(1).Adversarial().Trainers.Cfgan(FastOptions()).Train(onlyOneItem, null, 1, null)).Message, "two items");
    }
}
