using MLNet.Adversarial.Data;
using MLNet.Adversarial.Models;
using MLNet.Adversarial.Onnx;
using static MLNet.Adversarial.Tests.Onnx.OnnxTestModels;

namespace MLNet.Adversarial.Tests.Onnx;

[TestClass]
public sealed class TopKExportTests
{
    [TestMethod]
    [DataRow(IdKind.Int64, 5, false, false)]
    [DataRow(IdKind.Int64, 5, true, true)]
    [DataRow(IdKind.String, 5, true, false)]
    [DataRow(IdKind.String, 500, false, true)]
    [DataRow(IdKind.Int64, 500, true, false)]
    public void TopKEqualsTheReferenceRanking(IdKind kind, int k, bool exclude, bool columnShaped)
    {
        var model = RandomModel(kind);
        var training = RandomTraining(model);
        var options = new TopKExportOptions { ModelKind = "apr-mf", K = k, ExcludeTrainingItems = exclude, TrainingData = training };
        int expectedK = Math.Min(k, Items);
        var (ints, strings) = KnownAndUnknownIds(model.Users);
        int n = ints?.Length ?? strings!.Length;

        using var session = Session(FactorizationOnnxExporter.ExportTopK(model, options));
        using var results = session.Run([IdInput(OnnxContract.UserInput, ints, strings, columnShaped)]);
        var scores = results.Single(r => r.Name == OnnxContract.ScoresOutput).AsTensor<float>();
        var ids = results.Single(r => r.Name == OnnxContract.ItemIdsOutput);
        CollectionAssert.AreEqual(new[] { n, expectedK }, scores.Dimensions.ToArray());

        for (int row = 0; row < n; row++)
        {
            int user = IndexOf(model.Users, ints, strings, row);
            var expected = ReferenceTopK(model, user, exclude && user >= 0 ? training : null, expectedK);
            for (int j = 0; j < expectedK; j++)
            {
                string actualId = kind == IdKind.Int64
                    ? ids.AsTensor<long>()[row, j].ToString(System.Globalization.CultureInfo.InvariantCulture)
                    : ids.AsTensor<string>()[row, j];
                Assert.AreEqual(model.Items.GetIdText(expected[j].Item), actualId, $"row {row}, rank {j}");
                Assert.AreEqual(expected[j].Score, scores[row, j], 1e-5, $"row {row}, rank {j}");
            }
        }
    }

    [TestMethod]
    public void ExclusionLeavesMinusInfinityInTheTailWhenFewerThanKItemsRemain()
    {
        var model = RandomModel(IdKind.Int64);
        var training = RandomTraining(model); // user 0 has every item but items 0 and 1
        var options = new TopKExportOptions { ModelKind = "bpr-mf", K = 5, ExcludeTrainingItems = true, TrainingData = training };
        using var session = Session(FactorizationOnnxExporter.ExportTopK(model, options));
        using var results = session.Run([IdInput(OnnxContract.UserInput, [model.Users.Int64Ids[0]], null, false)]);
        var scores = results.Single(r => r.Name == OnnxContract.ScoresOutput).AsTensor<float>().ToArray();
        var ids = results.Single(r => r.Name == OnnxContract.ItemIdsOutput).AsTensor<long>().ToArray();

        CollectionAssert.AreEquivalent(new[] { model.Items.Int64Ids[0], model.Items.Int64Ids[1] }, ids[..2]);
        Assert.IsTrue(scores[..2].All(float.IsFinite));
        Assert.IsTrue(scores[2..].All(float.IsNegativeInfinity));
        // The -inf tail follows the TopK tie rule: the lowest excluded item indices, ascending.
        CollectionAssert.AreEqual(model.Items.Int64Ids[2..5].ToArray(), ids[2..]);
    }

    [TestMethod]
    public void TiesAreBrokenByTheLowerItemIndex()
    {
        // Items 1, 3, 4 share one (higher) score and items 0, 2, 5 another.
        var users = IdVocabulary.FromInt64([1]);
        var items = IdVocabulary.FromInt64(Enumerable.Range(0, 6).Select(i => (long)i));
        float[] high = [1f, 0.5f], low = [0.25f, -1f];
        var itemFactors = new[] { low, high, low, high, high, low }.SelectMany(v => v).ToArray();
        var model = new FactorizationModel(users, items, 2, [1f, 1f], itemFactors, new float[6]);
        using var session = Session(FactorizationOnnxExporter.ExportTopK(model, new TopKExportOptions { ModelKind = "bpr-mf", K = 6 }));
        using var results = session.Run([IdInput(OnnxContract.UserInput, [1L], null, false)]);
        CollectionAssert.AreEqual(new long[] { 1, 3, 4, 0, 2, 5 }, results.Single(r => r.Name == OnnxContract.ItemIdsOutput).AsTensor<long>().ToArray());
    }

    [TestMethod]
    public void MetadataRecordsKAndExclusion()
    {
        var model = RandomModel(IdKind.String);
        var options = new TopKExportOptions { ModelKind = "apr-mf", K = 50, ExcludeTrainingItems = true, TrainingData = RandomTraining(model) };
        var metadata = OnnxModelFile.Validate(FactorizationOnnxExporter.ExportTopK(model, options));
        Assert.AreEqual(OnnxMetadataKeys.TopKContract, metadata[OnnxMetadataKeys.Contract]);
        Assert.AreEqual(Items.ToString(), metadata[OnnxMetadataKeys.K]); // clamped
        Assert.AreEqual(OnnxContract.Flag(true), metadata[OnnxMetadataKeys.ExcludeTrainingItems]);
        Assert.AreEqual(OnnxContract.StringIdType, metadata[OnnxMetadataKeys.ItemIdType]);
        Assert.AreEqual(options.TrainingData!.ComputeHash(), metadata[OnnxMetadataKeys.TrainingDataHash]);
    }

    [TestMethod]
    public void ExportIsDeterministic()
    {
        var model = RandomModel(IdKind.Int64);
        var options = new TopKExportOptions { ModelKind = "bpr-mf", K = 4, ExcludeTrainingItems = true, TrainingData = RandomTraining(model) };
        CollectionAssert.AreEqual(FactorizationOnnxExporter.ExportTopK(model, options), FactorizationOnnxExporter.ExportTopK(model, options));
    }

    [TestMethod]
    public void AnOversizedExclusionMaskIsRefusedWithAHint()
    {
        var model = RandomModel(IdKind.Int64);
        var options = new TopKExportOptions
        {
            ModelKind = "bpr-mf", K = 4, ExcludeTrainingItems = true, TrainingData = RandomTraining(model), MaxExclusionMaskCells = 100,
        };
        var e = Assert.ThrowsExactly<InvalidOperationException>(() => FactorizationOnnxExporter.ExportTopK(model, options));
        StringAssert.Contains(e.Message, "ExcludeTrainingItems = false");
    }

    [TestMethod]
    public void ExclusionWithoutTrainingDataOrANonPositiveKIsRejected()
    {
        var model = RandomModel(IdKind.Int64);
        Assert.ThrowsExactly<ArgumentException>(() => FactorizationOnnxExporter.ExportTopK(model, new() { ModelKind = "m", K = 3, ExcludeTrainingItems = true }));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => FactorizationOnnxExporter.ExportTopK(model, new() { ModelKind = "m", K = 0 }));
    }

    /// <summary>The top <paramref name="k"/> items by descending score, ties by lower index; excluded items score -inf.</summary>
    private static (int Item, float Score)[] ReferenceTopK(FactorizationModel model, int user, InteractionData? exclude, int k) =>
        Enumerable.Range(0, model.Items.Count)
            .Select(i => (Item: i, Score: exclude?.Contains(user, i) == true ? float.NegativeInfinity : model.Score(user, i)))
            .OrderByDescending(p => p.Score).ThenBy(p => p.Item)
            .Take(k).ToArray();
}
