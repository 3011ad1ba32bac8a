using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Adversarial.Data;
using MLNet.Adversarial.Trainers;
using MLNet.Adversarial.Training;

namespace MLNet.Adversarial.Tests.Trainers;

[TestClass]
public sealed class AprTrainerTests
{
    private sealed class Pair
    {
        public long UserId { get; set; }
        public long ItemId { get; set; }
    }

    private sealed class TextPair
    {
        public string UserId { get; set; } = "";
        public string ItemId { get; set; } = "";
    }

    private sealed class Scored
    {
        public float Score { get; set; }
    }

    [TestMethod]
    public void FitThenTransformAddsScoresEqualToTheTrainedModel()
    {
        var ml = new MLContext(seed: 1);
        var table = TrainingFixtures.Interactions();
        using var model = ml.Adversarial().Trainers.Apr(TrainingFixtures.FastOptions()).Fit(table.DataView());

        var scored = model.Transform(table.DataView());
        var scores = scored.GetColumn<float>("Score").ToArray();
        var users = table.Users.Int64Values.ToArray();
        var items = table.Items.Int64Values.ToArray();
        Assert.AreEqual(table.Count, scores.Length);
        for (int r = 0; r < scores.Length; r++)
            Assert.AreEqual(model.Factorization().Score(users[r], items[r]), scores[r], 1e-5, $"row {r}");
        CollectionAssert.Contains(scored.Schema.Select(c => c.Name).ToArray(), "UserId", "the input columns are kept");
        Assert.IsFalse(scored.Schema.Any(c => c.Name.StartsWith("__mlnet_adv", StringComparison.Ordinal)), "temporary columns are dropped");
    }

    [TestMethod]
    public void PredictionEngineScoresKnownAndUnknownIds()
    {
        var ml = new MLContext(seed: 1);
        var table = TrainingFixtures.Interactions();
        using var model = ml.Adversarial().Trainers.Apr(TrainingFixtures.FastOptions()).Fit(table.DataView());
        var engine = ml.Model.CreatePredictionEngine<Pair, Scored>(model);

        Assert.AreEqual(model.Factorization().Score(1000L, 5002L), engine.Predict(new Pair { UserId = 1000, ItemId = 5002 }).Score, 1e-5);
        // Unknown ids are scored with the fallback rows (mean user / mean item), never an index error.
        Assert.AreEqual(model.Factorization().Score(-1, model.Factorization().Items.IndexOf(5002L)), engine.Predict(new Pair { UserId = 999_999, ItemId = 5002 }).Score, 1e-5);
        Assert.AreEqual(model.Factorization().Score(-1, -1), engine.Predict(new Pair { UserId = 999_999, ItemId = 1 }).Score, 1e-5);
    }

    [TestMethod]
    public void ComposesWithMapValueToKeyOnTextIds()
    {
        var ml = new MLContext(seed: 1);
        var table = TrainingFixtures.Interactions();
        var rows = Enumerable.Range(0, table.Count).Select(r => new TextPair
        {
            UserId = "u" + table.Users.Int64Values[r],
            ItemId = "i" + table.Items.Int64Values[r],
        }).ToList();
        var data = ml.Data.LoadFromEnumerable(rows);
        var options = TrainingFixtures.FastOptions();
        options.UserColumnName = "UserKey";
        options.ItemColumnName = "ItemKey";
        var pipeline = ml.Transforms.Conversion.MapValueToKey("UserKey", "UserId")
            .Append(ml.Transforms.Conversion.MapValueToKey("ItemKey", "ItemId"))
            .Append(ml.Adversarial().Trainers.Apr(options));
        var fitted = pipeline.Fit(data);
        var recommender = fitted.LastTransformer;
        Assert.AreEqual(IdKind.String, recommender.Model.Users.Kind, "key values are the raw text ids");

        var engine = ml.Model.CreatePredictionEngine<TextPair, Scored>(fitted);
        var score = engine.Predict(new TextPair { UserId = "u1003", ItemId = "i5004" }).Score;
        Assert.AreEqual(recommender.Factorization().Score("u1003", "i5004"), score, 1e-5);
        // Ids the key mapping never saw become the missing key; they are scored with the fallback rows.
        Assert.AreEqual(recommender.Factorization().Score(-1, recommender.Factorization().Items.IndexOf("i5004")),
            engine.Predict(new TextPair { UserId = "stranger", ItemId = "i5004" }).Score, 1e-5);
        Assert.AreEqual(recommender.Factorization().Score(-1, -1), engine.Predict(new TextPair { UserId = "stranger", ItemId = "new" }).Score, 1e-5);
    }

    [TestMethod]
    public void FloatIdsFromTextLoaderMapThroughKeys()
    {
        var ml = new MLContext(seed: 1);
        var path = Path.Combine(Path.GetTempPath(), $"mlnet-adv-{Guid.NewGuid():N}.tsv");
        var table = TrainingFixtures.Interactions();
        File.WriteAllLines(path, Enumerable.Range(0, table.Count).Select(r => $"{table.Users.Int64Values[r]}\t{table.Items.Int64Values[r]}\t{table.Ratings![r]}"));
        try
        {
            var data = ml.Data.LoadFromTextFile(path, [
                new TextLoader.Column("User", DataKind.Single, 0),
                new TextLoader.Column("Item", DataKind.Single, 1),
                new TextLoader.Column("Rating", DataKind.Single, 2)]);
            var options = TrainingFixtures.FastOptions();
            options.UserColumnName = "UserKey";
            options.ItemColumnName = "ItemKey";
            options.RatingColumnName = "Rating";
            options.MinRating = 4;
            var fitted = ml.Transforms.Conversion.MapValueToKey("UserKey", "User")
                .Append(ml.Transforms.Conversion.MapValueToKey("ItemKey", "Item"))
                .Append(ml.Adversarial().Trainers.Apr(options)).Fit(data);
            var recommender = fitted.LastTransformer;
            Assert.AreEqual(IdKind.Int64, recommender.Model.Users.Kind);
            Assert.AreEqual(1000L, recommender.Model.Users.Int64Ids[0], "raw ids, not key indices");
            var scored = fitted.Transform(data).GetColumn<float>("Score").Take(5).ToArray();
            for (int r = 0; r < 5; r++)
                Assert.AreEqual(recommender.Factorization().Score(table.Users.Int64Values[r], table.Items.Int64Values[r]), scored[r], 1e-5);

            // A user and an item that the key mapping never saw (as in u1.test) get the fallback score, not a parse error.
            File.WriteAllLines(path, ["777777\t5002\t5", "1000\t888888\t5"]);
            var unseen = fitted.Transform(ml.Data.LoadFromTextFile(path, [
                new TextLoader.Column("User", DataKind.Single, 0),
                new TextLoader.Column("Item", DataKind.Single, 1),
                new TextLoader.Column("Rating", DataKind.Single, 2)])).GetColumn<float>("Score").ToArray();
            Assert.AreEqual(recommender.Factorization().Score(-1, recommender.Factorization().Items.IndexOf(5002L)), unseen[0], 1e-5);
            Assert.AreEqual(recommender.Factorization().Score(recommender.Factorization().Users.IndexOf(1000L), -1), unseen[1], 1e-5);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void SaveAndLoadInTheSameProcessGivesIdenticalScores()
    {
        var ml = new MLContext(seed: 1);
        var table = TrainingFixtures.Interactions();
        var data = table.DataView();
        using var model = ml.Adversarial().Trainers.Apr(TrainingFixtures.FastOptions()).Fit(data);
        using var stream = new MemoryStream();
        ml.Model.Save(model, data.Schema, stream);
        stream.Position = 0;

        var fresh = new MLContext(seed: 2);
        fresh.Adversarial();
        var loaded = fresh.Model.Load(stream, out var schema);
        Assert.AreEqual(data.Schema.Count, schema.Count);
        CollectionAssert.AreEqual(model.Transform(data).GetColumn<float>("Score").ToArray(), loaded.Transform(data).GetColumn<float>("Score").ToArray());
    }

    [TestMethod]
    public void ResumingFromTheCheckpointEqualsOneUninterruptedRun()
    {
        var ml = new MLContext(seed: 1);
        var data = TrainingFixtures.Interactions().DataView();
        using var straight = ml.Adversarial().Trainers.Apr(TrainingFixtures.FastOptions(epochs: 6)).Fit(data);
        using var firstHalf = ml.Adversarial().Trainers.Apr(TrainingFixtures.FastOptions(epochs: 3)).Fit(data);

        var path = Path.Combine(Path.GetTempPath(), $"mlnet-adv-{Guid.NewGuid():N}.ckpt");
        firstHalf.SaveCheckpoint(path);
        var resumedOptions = TrainingFixtures.FastOptions(epochs: 6);
        resumedOptions.ResumeFrom = TrainingCheckpoint.Load(path);
        File.Delete(path);
        var ran = new List<int>();
        resumedOptions.Progress = new SynchronousProgress<TrainingEpochReport>(r => ran.Add(r.Epoch));
        using var resumed = ml.Adversarial().Trainers.Apr(resumedOptions).Fit(data);

        CollectionAssert.AreEqual(new[] { 4, 5, 6 }, ran, "only the remaining epochs run");
        Assert.AreEqual(6, resumed.Training.History.Count, "the history includes the checkpoint's epochs");
        CollectionAssert.AreEqual(straight.Factorization().UserFactors, resumed.Factorization().UserFactors);
        CollectionAssert.AreEqual(straight.Factorization().ItemFactors, resumed.Factorization().ItemFactors);
        CollectionAssert.AreEqual(straight.Factorization().ItemBias, resumed.Factorization().ItemBias);
    }

    [TestMethod]
    public void SameSeedGivesIdenticalModelsAndAnotherSeedDoesNot()
    {
        var ml = new MLContext(seed: 1);
        var data = TrainingFixtures.Interactions().DataView();
        using var a = ml.Adversarial().Trainers.Apr(TrainingFixtures.FastOptions()).Fit(data);
        using var b = ml.Adversarial().Trainers.Apr(TrainingFixtures.FastOptions()).Fit(data);
        var other = TrainingFixtures.FastOptions();
        other.Seed = 8;
        using var c = ml.Adversarial().Trainers.Apr(other).Fit(data);
        CollectionAssert.AreEqual(a.Factorization().UserFactors, b.Factorization().UserFactors);
        CollectionAssert.AreEqual(a.ScorerOnnx, b.ScorerOnnx);
        CollectionAssert.AreNotEqual(a.Factorization().UserFactors, c.Factorization().UserFactors);
    }

    [TestMethod]
    public void ProgressReportsEveryEpochAndMarksTheAdversarialPhase()
    {
        var ml = new MLContext(seed: 1);
        var reports = new List<TrainingEpochReport>();
        var options = TrainingFixtures.FastOptions(epochs: 4);
        options.Progress = new SynchronousProgress<TrainingEpochReport>(reports.Add);
        var logged = new List<string>();
        ml.Log += (_, e) => { if (e.Source.Contains(nameof(AprTrainer), StringComparison.Ordinal)) logged.Add(e.Message); };
        using var _ = ml.Adversarial().Trainers.Apr(options).Fit(TrainingFixtures.Interactions().DataView());

        CollectionAssert.AreEqual(new[] { 1, 2, 3, 4 }, reports.Select(r => r.Epoch).ToArray());
        CollectionAssert.AreEqual(new[] { false, false, true, true }, reports.Select(r => r.Adversarial).ToArray());
        Assert.IsTrue(reports.All(r => double.IsFinite(r.Loss) && r.Loss > 0 && r.Pairs > 0));
        Assert.IsTrue(logged.Any(m => m.Contains("epoch 4/4", StringComparison.Ordinal)), "epochs are logged through MLContext.Log");
    }

    [TestMethod]
    public void ValidationDataSelectsTheBestEpochAndStopsEarly()
    {
        var ml = new MLContext(seed: 1);
        var table = TrainingFixtures.Interactions(users: 80, perUser: 10);
        var options = TrainingFixtures.FastOptions(epochs: 60);
        options.ValidationData = table.DataView();
        options.EarlyStoppingPatience = 3;
        options.LearningRate = 0.2; // overshoots, so validation stops improving quickly
        using var model = ml.Adversarial().Trainers.Apr(options).Fit(table.DataView());

        var history = model.Training.History;
        Assert.IsTrue(history.All(h => h.ValidationMetric is not null));
        Assert.IsTrue(history.Count < 60, "early stopping ended training");
        // Only the adversarial phase is selectable: the served APR model is an adversarially trained one.
        var best = history.Where(h => h.Adversarial).MaxBy(h => h.ValidationMetric!.Value)!;
        Assert.AreEqual(best.Epoch, model.Training.SelectedEpoch);
    }

    [TestMethod]
    public void CancellationStopsTrainingWithOperationCanceled()
    {
        var ml = new MLContext(seed: 1);
        using var cts = new CancellationTokenSource();
        var options = TrainingFixtures.FastOptions(epochs: 1000);
        options.CancellationToken = cts.Token;
        options.Progress = new SynchronousProgress<TrainingEpochReport>(r => { if (r.Epoch == 2) cts.Cancel(); });
        Assert.ThrowsExactly<OperationCanceledException>(() => ml.Adversarial().Trainers.Apr(options).Fit(TrainingFixtures.Interactions().DataView()));
    }

    [TestMethod]
    public void MissingOrMistypedColumnsNameTheColumn()
    {
        var ml = new MLContext(seed: 1);
        var data = TrainingFixtures.Interactions().DataView();
        var missing = TrainingFixtures.FastOptions();
        missing.UserColumnName = "Customer";
        var e1 = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Adversarial().Trainers.Apr(missing).Fit(data));
        StringAssert.Contains(e1.Message, "'Customer'");

        var vectors = ml.Data.LoadFromEnumerable(new[] { new VectorRow { UserId = [1f, 2f], ItemId = 3 } });
        var e2 = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Adversarial().Trainers.Apr(TrainingFixtures.FastOptions()).Fit(vectors));
        StringAssert.Contains(e2.Message, "'UserId'");

        var rating = TrainingFixtures.FastOptions();
        rating.RatingColumnName = "ItemId";
        var e3 = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Adversarial().Trainers.Apr(rating).Fit(data));
        StringAssert.Contains(e3.Message, "'ItemId'");

        var e4 = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Adversarial().Trainers.Apr(missing).GetOutputSchema(SchemaShapeOf(ml, data)));
        StringAssert.Contains(e4.Message, "'Customer'");
    }

    [TestMethod]
    public void AKeyColumnWithoutKeyValuesIsRejectedBeforeTraining()
    {
        var ml = new MLContext(seed: 1);
        var path = Path.Combine(Path.GetTempPath(), $"mlnet-adv-{Guid.NewGuid():N}.tsv");
        File.WriteAllLines(path, ["1\t2", "2\t3", "3\t1"]);
        try
        {
            var data = ml.Data.LoadFromTextFile(path, [
                new TextLoader.Column("UserId", DataKind.UInt32, 0) { KeyCount = new KeyCount(10) },
                new TextLoader.Column("ItemId", DataKind.UInt32, 1) { KeyCount = new KeyCount(10) }]);
            var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Adversarial().Trainers.Apr(TrainingFixtures.FastOptions()).Fit(data));
            StringAssert.Contains(e.Message, "'UserId' is a key column without key values");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void GetOutputSchemaAddsAScalarScore()
    {
        var ml = new MLContext(seed: 1);
        var data = TrainingFixtures.Interactions().DataView();
        var shape = ml.Adversarial().Trainers.Apr(TrainingFixtures.FastOptions()).GetOutputSchema(SchemaShapeOf(ml, data));
        var score = shape.Single(c => c.Name == "Score");
        Assert.AreEqual(SchemaShape.Column.VectorKind.Scalar, score.Kind);
        Assert.AreEqual(NumberDataViewType.Single, score.ItemType);
        Assert.IsTrue(shape.Any(c => c.Name == "UserId"));
    }

    [TestMethod]
    public void WithoutItemBiasTheBiasesStayZero()
    {
        var ml = new MLContext(seed: 1);
        var options = TrainingFixtures.FastOptions();
        options.UseItemBias = false;
        using var model = ml.Adversarial().Trainers.Apr(options).Fit(TrainingFixtures.Interactions().DataView());
        Assert.IsTrue(model.Factorization().ItemBias.All(b => b == 0));
        Assert.IsTrue(model.Factorization().UserFactors.Any(f => f != 0));
    }

    [TestMethod]
    public void BadOptionsAreRejectedByName()
    {
        var ml = new MLContext(seed: 1);
        var options = TrainingFixtures.FastOptions();
        options.Epsilon = -1;
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Adversarial().Trainers.Apr(options));
        StringAssert.Contains(e.Message, "Epsilon");
        options = TrainingFixtures.FastOptions();
        options.BatchSize = 0;
        e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Adversarial().Trainers.Apr(options));
        StringAssert.Contains(e.Message, "BatchSize");
    }

    [TestMethod]
    public void NoPositivesAfterTheRatingThresholdIsAClearError()
    {
        var ml = new MLContext(seed: 1);
        var options = TrainingFixtures.FastOptions();
        options.RatingColumnName = "Rating";
        options.MinRating = 6;
        var e = Assert.ThrowsExactly<ArgumentException>(() => ml.Adversarial().Trainers.Apr(options).Fit(TrainingFixtures.Interactions().DataView()));
        StringAssert.Contains(e.Message, "MinRating");
    }

    /// <summary>A shape with Int64 UserId/ItemId and Single Rating columns. ML.NET keeps SchemaShape.Create internal, so it comes from a mapping's output.</summary>
    private static SchemaShape SchemaShapeOf(MLContext ml, IDataView data) =>
        ml.Transforms.CustomMapping<Empty, ShapeRow>((_, _) => { }, contractName: null).GetOutputSchema(new SchemaShape([]));

    public sealed class Empty;

    public sealed class ShapeRow
    {
        public long UserId { get; set; }
        public long ItemId { get; set; }
        public float Rating { get; set; }
    }

    private sealed class VectorRow
    {
        [VectorType(2)] public float[] UserId { get; set; } = [];
        public long ItemId { get; set; }
    }
}

/// <summary>An <see cref="IProgress{T}"/> that reports on the calling thread (Progress&lt;T&gt; posts asynchronously).</summary>
internal sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
