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
        // [N,1] ids need the shape-less declaration; the default declares [N].
        var options = new TopKExportOptions
        {
            ModelKind = "apr-mf", K = k, ExcludeTrainingItems = exclude, TrainingData = training,
            IdInputShape = columnShaped ? OnnxIdInputShape.AnyRank : OnnxIdInputShape.Batch,
        };
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
    public void ABatchWithRepeatedUnknownAndItemlessUsersExcludesEachRowsOwnItems()
    {
        // Rows share nothing: a repeated user is excluded twice, an unknown or item-less user between them not at all.
        var model = RandomModel(IdKind.Int64);
        var training = RandomTraining(model);
        long[] users = [model.Users.Int64Ids[1], model.Users.Int64Ids[2], UnknownInt64[0], model.Users.Int64Ids[2], model.Users.Int64Ids[0],
            model.Users.Int64Ids[Users - 1], model.Users.Int64Ids[0]];
        var options = new TopKExportOptions { ModelKind = "bpr-mf", K = Items, ExcludeTrainingItems = true, TrainingData = training, IdInputShape = OnnxIdInputShape.AnyRank };
        using var session = Session(FactorizationOnnxExporter.ExportTopK(model, options));
        using var results = session.Run([IdInput("user", users, null, column: true)]);
        var scores = results.Single(r => r.Name == "scores").AsTensor<float>();
        var ids = results.Single(r => r.Name == "item_ids").AsTensor<long>();
        for (int row = 0; row < users.Length; row++)
        {
            int user = model.Users.IndexOf(users[row]);
            var expected = ReferenceTopK(model, user, training, Items);
            for (int j = 0; j < Items; j++)
            {
                Assert.AreEqual(model.Items.Int64Ids[expected[j].Item], ids[row, j], $"row {row}, rank {j}");
                Assert.AreEqual(expected[j].Score, scores[row, j], 1e-5, $"row {row}, rank {j}");
            }
            int open = user < 0 ? Items : Items - training.ItemsOf(user).Length;
            Assert.AreEqual(open, Enumerable.Range(0, Items).Count(j => float.IsFinite(scores[row, j])), $"row {row}");
        }
    }

    [TestMethod]
    public void AWideCatalogueExcludesSparselyWithoutADenseMask()
    {
        // 200k users × 50k items: a dense mask would be 10^10 cells; the CSR exclusion is one int64 per positive.
        const int users = 200_000, items = 50_000, perUser = 3;
        var model = new FactorizationModel(IdVocabulary.FromInt64(Enumerable.Range(0, users).Select(u => (long)u)),
            IdVocabulary.FromInt64(Enumerable.Range(0, items).Select(i => (long)i)), 1,
            Enumerable.Repeat(1f, users).ToArray(), Enumerable.Range(0, items).Select(i => 1f - i * 1e-5f).ToArray(), new float[items]);
        var userIndex = Enumerable.Range(0, users * perUser).Select(r => r / perUser).ToArray();
        var itemIndex = Enumerable.Range(0, users * perUser).Select(r => r / perUser % 2 == 0 ? r % perUser : 2 * (r % perUser)).ToArray();
        var training = InteractionData.FromIndices(model.Users, model.Items, userIndex, itemIndex);
        var bytes = FactorizationOnnxExporter.ExportTopK(model, new TopKExportOptions { ModelKind = "bpr-mf", K = 4, ExcludeTrainingItems = true, TrainingData = training });
        Assert.IsLessThan(20L << 20, bytes.LongLength);

        using var session = Session(bytes);
        using var results = session.Run([IdInput("user", [0, 1, users - 1, users], null, false)]);
        var ids = results.Single(r => r.Name == "item_ids").AsTensor<long>();
        // Item i scores 1 - i·1e-5: the best open items are the lowest indices the user does not have.
        CollectionAssert.AreEqual(new long[] { 3, 4, 5, 6 }, Row(ids, 0));         // had 0, 1, 2
        CollectionAssert.AreEqual(new long[] { 1, 3, 5, 6 }, Row(ids, 1));         // had 0, 2, 4
        CollectionAssert.AreEqual(new long[] { 1, 3, 5, 6 }, Row(ids, 2));         // the last user: had 0, 2, 4
        CollectionAssert.AreEqual(new long[] { 0, 1, 2, 3 }, Row(ids, 3));         // unknown: no exclusions

        static long[] Row(Microsoft.ML.OnnxRuntime.Tensors.Tensor<long> t, int row) => Enumerable.Range(0, 4).Select(j => t[row, j]).ToArray();
    }

    [TestMethod]
    public void ExclusionWithoutTrainingDataOrANonPositiveKIsRejected()
    {
        var model = RandomModel(IdKind.Int64);
        Assert.ThrowsExactly<ArgumentException>(() => FactorizationOnnxExporter.ExportTopK(model, new() { ModelKind = "m", K = 3, ExcludeTrainingItems = true }));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => FactorizationOnnxExporter.ExportTopK(model, new() { ModelKind = "m", K = 0 }));
    }
}
