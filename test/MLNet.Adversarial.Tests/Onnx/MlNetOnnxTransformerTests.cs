using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Adversarial.Data;
using MLNet.Adversarial.Models;
using MLNet.Adversarial.Onnx;
using static MLNet.Adversarial.Tests.Onnx.OnnxTestModels;

namespace MLNet.Adversarial.Tests.Onnx;

/// <summary>
/// The exports served through ML.NET's <c>ApplyOnnxModel</c> with scalar id columns. ML.NET feeds each row as a
/// [1,1] tensor and needs a declared input shape, so the models are exported with <see cref="OnnxIdInputShape.Column"/>.
/// </summary>
[TestClass]
public sealed class MlNetOnnxTransformerTests
{
    private sealed class Int64Pair
    {
        [ColumnName(OnnxContract.UserInput)] public long User { get; set; }
        [ColumnName(OnnxContract.ItemInput)] public long Item { get; set; }
    }

    private sealed class StringPair
    {
        [ColumnName(OnnxContract.UserInput)] public string User { get; set; } = "";
        [ColumnName(OnnxContract.ItemInput)] public string Item { get; set; } = "";
    }

    private sealed class Int64User
    {
        [ColumnName(OnnxContract.UserInput)] public long User { get; set; }
    }

    private static readonly OnnxExportOptions ForMlNet = Options() with { IdInputShape = OnnxIdInputShape.Column };

    [TestMethod]
    public void ScalarInt64ColumnsAreScored()
    {
        var model = RandomModel(IdKind.Int64);
        var users = KnownAndUnknownIds(model.Users).Ints!;
        var items = KnownAndUnknownIds(model.Items).Ints!;
        var rows = Enumerable.Range(0, 40).Select(r => new Int64Pair { User = users[r % users.Length], Item = items[r * 7 % items.Length] }).ToArray();
        var scores = ScoreWithMlNet(model, rows);
        for (int r = 0; r < rows.Length; r++)
            Assert.AreEqual(model.Score(rows[r].User, rows[r].Item), scores[r], 1e-5, $"row {r}");
    }

    [TestMethod]
    public void ScalarStringColumnsAreScored()
    {
        var model = RandomModel(IdKind.String);
        var users = KnownAndUnknownIds(model.Users).Strings!;
        var items = KnownAndUnknownIds(model.Items).Strings!;
        var rows = Enumerable.Range(0, 40).Select(r => new StringPair { User = users[r % users.Length], Item = items[r * 7 % items.Length] }).ToArray();
        var scores = ScoreWithMlNet(model, rows);
        for (int r = 0; r < rows.Length; r++)
            Assert.AreEqual(model.Score(rows[r].User, rows[r].Item), scores[r], 1e-5, $"row {r}");
    }

    [TestMethod]
    public void AnyRankInputsCannotBeLoadedByMlNet()
    {
        // Documents why OnnxIdInputShape.Column exists: ML.NET (5.0.1, 6.0.0) fails on an input without a declared shape.
        var ml = new MLContext(seed: 1);
        using var onnx = new MemoryStream(FactorizationOnnxExporter.ExportPairwiseScorer(RandomModel(IdKind.Int64), Options() with { IdInputShape = OnnxIdInputShape.AnyRank }));
        Assert.Throws<Exception>(() => ml.Transforms.ApplyOnnxModel([OnnxContract.ScoreOutput], [OnnxContract.UserInput, OnnxContract.ItemInput], onnx));
    }

    [TestMethod]
    public void TopKOutputsAreVectorsOfKPerRow()
    {
        var model = RandomModel(IdKind.Int64);
        var ml = new MLContext(seed: 1);
        var rows = model.Users.Int64Ids.ToArray().Select(u => new Int64User { User = u }).ToArray();
        var data = ml.Data.LoadFromEnumerable(rows);
        var options = new TopKExportOptions { ModelKind = "bpr-mf", K = 4, IdInputShape = OnnxIdInputShape.Column };
        using var onnx = new MemoryStream(FactorizationOnnxExporter.ExportTopK(model, options));
        var output = ml.Transforms.ApplyOnnxModel([OnnxContract.ItemIdsOutput, OnnxContract.ScoresOutput], [OnnxContract.UserInput], onnx).Fit(data).Transform(data);

        Assert.AreEqual(new VectorDataViewType(NumberDataViewType.Int64, 1, 4), output.Schema[OnnxContract.ItemIdsOutput].Type);
        Assert.AreEqual(new VectorDataViewType(NumberDataViewType.Single, 1, 4), output.Schema[OnnxContract.ScoresOutput].Type);
        var ids = output.GetColumn<VBuffer<long>>(OnnxContract.ItemIdsOutput).Select(v => v.DenseValues().ToArray()).ToArray();
        var scores = output.GetColumn<VBuffer<float>>(OnnxContract.ScoresOutput).Select(v => v.DenseValues().ToArray()).ToArray();
        for (int r = 0; r < rows.Length; r++)
        {
            Assert.HasCount(4, ids[r]);
            for (int j = 0; j < 4; j++) Assert.AreEqual(model.Score(rows[r].User, ids[r][j]), scores[r][j], 1e-5);
        }
    }

    [TestMethod]
    public void TopKExcludesTrainingItemsOneRowAtATime()
    {
        // ML.NET runs the graph once per row with a [1,1] user: the sparse exclusion must work for a batch of one,
        // for users with no training items (user 1, the last) and for unknown users (no exclusions).
        var model = RandomModel(IdKind.Int64);
        var training = RandomTraining(model);
        var ml = new MLContext(seed: 1);
        var rows = model.Users.Int64Ids.ToArray().Concat(UnknownInt64).Select(u => new Int64User { User = u }).ToArray();
        var data = ml.Data.LoadFromEnumerable(rows);
        var options = new TopKExportOptions { ModelKind = "bpr-mf", K = 5, IdInputShape = OnnxIdInputShape.Column, ExcludeTrainingItems = true, TrainingData = training };
        using var onnx = new MemoryStream(FactorizationOnnxExporter.ExportTopK(model, options));
        var output = ml.Transforms.ApplyOnnxModel(["item_ids", "scores"], ["user"], onnx).Fit(data).Transform(data);

        var ids = output.GetColumn<VBuffer<long>>("item_ids").Select(v => v.DenseValues().ToArray()).ToArray();
        var scores = output.GetColumn<VBuffer<float>>("scores").Select(v => v.DenseValues().ToArray()).ToArray();
        for (int r = 0; r < rows.Length; r++)
        {
            var expected = ReferenceTopK(model, model.Users.IndexOf(rows[r].User), training, 5);
            CollectionAssert.AreEqual(expected.Select(e => model.Items.Int64Ids[e.Item]).ToArray(), ids[r], $"row {r}");
            for (int j = 0; j < 5; j++) Assert.AreEqual(expected[j].Score, scores[r][j], 1e-5, $"row {r}, rank {j}");
        }
    }

    /// <summary>Scores <paramref name="rows"/> with ML.NET and returns one score per row.</summary>
    private static float[] ScoreWithMlNet<TRow>(FactorizationModel model, TRow[] rows) where TRow : class
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(rows);
        using var onnx = new MemoryStream(FactorizationOnnxExporter.ExportPairwiseScorer(model, ForMlNet));
        var output = ml.Transforms.ApplyOnnxModel(
                [OnnxContract.ScoreOutput], [OnnxContract.UserInput, OnnxContract.ItemInput], onnx)
            .Fit(data).Transform(data);

        // The [N] output becomes a known-size vector of one float per row: Vector<Single, 1>.
        Assert.AreEqual(new VectorDataViewType(NumberDataViewType.Single, 1), output.Schema[OnnxContract.ScoreOutput].Type);
        var scores = output.GetColumn<VBuffer<float>>(OnnxContract.ScoreOutput).Select(v => v.GetItemOrDefault(0)).ToArray();
        Assert.HasCount(rows.Length, scores);
        return scores;
    }
}
