using Microsoft.ML.OnnxRuntime.Tensors;
using Microsoft.ML.OnnxRuntime;
using MLNet.Adversarial.Data;
using MLNet.Adversarial.Models;
using MLNet.Adversarial.Onnx;
using static MLNet.Adversarial.Tests.Onnx.OnnxTestModels;

namespace MLNet.Adversarial.Tests.Onnx;

[TestClass]
public sealed class CfganOnnxExportTests
{
    /// <summary>A seeded random generator (two hidden layers) over about a third of all (user, item) pairs as purchases.</summary>
    internal static CfganModel RandomCfgan(IdKind kind, bool sigmoidOutput, CfganOrientation orientation = CfganOrientation.UserBased, int seed = 42)
    {
        var rng = new Random(seed);
        var users = Vocabulary(kind, "u", Users);
        var items = Vocabulary(kind, "i", Items);
        var u = new List<int>();
        var i = new List<int>();
        for (int user = 0; user < Users; user++)
            for (int item = 0; item < Items; item++)
                if (user == 0 ? item >= 2 : rng.NextDouble() < 0.33 && user != 1 && item != Items - 1) { u.Add(user); i.Add(item); } // user 1 and the last item: no purchases
        var purchases = InteractionData.FromIndices(users, items, u.ToArray(), i.ToArray());
        DenseLayer Layer(int inputs, int outputs) => new(inputs, outputs,
            Enumerable.Range(0, inputs * outputs).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray(),
            Enumerable.Range(0, outputs).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray());
        int width = orientation == CfganOrientation.UserBased ? Items : Users;
        return new CfganModel(purchases, [Layer(width, 7), Layer(7, 5), Layer(5, width)], sigmoidOutput, orientation);
    }

    private static OnnxExportOptions ExportOptions(CfganModel model) => Options(model.Purchases) with { ModelKind = "cfgan-generator" };

    [TestMethod]
    [DataRow(IdKind.Int64, OnnxIdInputShape.AnyRank, false, CfganOrientation.UserBased)]
    [DataRow(IdKind.Int64, OnnxIdInputShape.Column, true, CfganOrientation.UserBased)]
    [DataRow(IdKind.String, OnnxIdInputShape.AnyRank, false, CfganOrientation.UserBased)]
    [DataRow(IdKind.String, OnnxIdInputShape.Column, true, CfganOrientation.UserBased)]
    [DataRow(IdKind.Int64, OnnxIdInputShape.AnyRank, true, CfganOrientation.ItemBased)]
    [DataRow(IdKind.String, OnnxIdInputShape.Column, false, CfganOrientation.ItemBased)]
    public void PairwiseScoresEqualTheModelForKnownAndUnknownIds(IdKind kind, OnnxIdInputShape declared, bool sigmoidOutput, CfganOrientation orientation)
    {
        var model = RandomCfgan(kind, sigmoidOutput, orientation);
        using var session = Session(model.ExportPairwiseScorer(ExportOptions(model) with { IdInputShape = declared }));

        var (userInts, userStrings) = KnownAndUnknownIds(model.Users);
        var (itemInts, itemStrings) = KnownAndUnknownIds(model.Items);
        int nu = userInts?.Length ?? userStrings!.Length, ni = itemInts?.Length ?? itemStrings!.Length;
        var rows = Enumerable.Range(0, nu * ni).ToArray();
        T[]? Pick<T>(T[]? source, Func<int, int> index) => source is null ? null : rows.Select(r => source[index(r)]).ToArray();
        long[]? ui = Pick(userInts, r => r / ni), ii = Pick(itemInts, r => r % ni);
        string[]? us = Pick(userStrings, r => r / ni), @is = Pick(itemStrings, r => r % ni);
        bool column = declared == OnnxIdInputShape.Column;

        using var results = session.Run([
            IdInput(OnnxContract.UserInput, ui, us, column),
            IdInput(OnnxContract.ItemInput, ii, @is, column)]);
        var score = results.Single().AsTensor<float>();
        int unknownPairs = 0;
        foreach (var r in rows)
        {
            int u = IndexOf(model.Users, ui, us, r), i = IndexOf(model.Items, ii, @is, r);
            if (u < 0 || i < 0) unknownPairs++;
            Assert.AreEqual(model.Score(u, i), score[r], 1e-5, $"row {r} (user index {u}, item index {i})");
        }
        Assert.IsGreaterThan(0, unknownPairs);
    }

    [TestMethod]
    [DataRow(IdKind.Int64, true, CfganOrientation.UserBased, true)]
    [DataRow(IdKind.String, false, CfganOrientation.UserBased, true)]
    [DataRow(IdKind.Int64, false, CfganOrientation.UserBased, false)]
    [DataRow(IdKind.Int64, false, CfganOrientation.ItemBased, true)]
    [DataRow(IdKind.String, true, CfganOrientation.ItemBased, true)]
    [DataRow(IdKind.String, true, CfganOrientation.ItemBased, false)]
    public void TopKEqualsTheModelsRankingWithoutTrainingItems(IdKind kind, bool sigmoidOutput, CfganOrientation orientation, bool excludePurchases)
    {
        var model = RandomCfgan(kind, sigmoidOutput, orientation);
        // Other training data than the purchases: user 0 keeps all but two items, user 2 has none, the rest every third item.
        var training = excludePurchases ? model.Purchases : InteractionData.FromIndices(model.Users, model.Items,
            [.. Enumerable.Range(0, Users * Items).Where(Other).Select(r => r / Items)], [.. Enumerable.Range(0, Users * Items).Where(Other).Select(r => r % Items)]);
        static bool Other(int r) => r / Items == 0 ? r % Items >= 2 : r / Items != 2 && r % 3 == 0;
        const int k = 6;
        using var session = Session(model.ExportTopK(new TopKExportOptions
        {
            ModelKind = "cfgan-generator", TrainingData = training, K = k, ExcludeTrainingItems = true,
        }));
        var (ints, strings) = KnownAndUnknownIds(model.Users);
        using var results = session.Run([IdInput(OnnxContract.UserInput, ints, strings, column: false)]);
        var ids = results.First(r => r.Name == OnnxContract.ItemIdsOutput);
        var scores = results.First(r => r.Name == OnnxContract.ScoresOutput).AsTensor<float>();

        var all = new float[model.Items.Count];
        for (int row = 0; row < (ints?.Length ?? strings!.Length); row++)
        {
            int u = IndexOf(model.Users, ints, strings, row);
            model.ScoreAllItems(u, all);
            if (u >= 0) foreach (var i in training.ItemsOf(u)) all[i] = float.NegativeInfinity;
            var expected = Enumerable.Range(0, all.Length).OrderByDescending(i => all[i]).ThenBy(i => i).Take(k).ToArray();
            for (int r = 0; r < k; r++)
            {
                Assert.AreEqual(all[expected[r]], scores[row, r], 1e-5, $"user row {row}, rank {r}");
                string expectedId = model.Items.GetIdText(expected[r]);
                string actualId = kind == IdKind.Int64 ? ids.AsTensor<long>()[row, r].ToString(System.Globalization.CultureInfo.InvariantCulture) : ids.AsTensor<string>()[row, r];
                if (float.IsFinite(all[expected[r]])) Assert.AreEqual(expectedId, actualId, $"user row {row}, rank {r}");
            }
        }
        // User 0 bought all but two items: the rest of its row holds -inf.
        Assert.IsTrue(float.IsNegativeInfinity(scores[0, 2]));
    }

    [TestMethod]
    [DataRow(IdKind.Int64, false)]
    [DataRow(IdKind.String, true)]
    public void PurchaseVectorGraphScoresUnseenHistoriesAsTheModel(IdKind kind, bool sigmoidOutput)
    {
        var model = RandomCfgan(kind, sigmoidOutput);
        const int k = 5, n = 4;
        var bytes = model.ExportPurchaseVectorScorer(new TopKExportOptions { ModelKind = "cfgan-generator", K = k, ExcludeTrainingItems = true });
        Assert.AreEqual(OnnxMetadataKeys.PurchaseVectorContract, OnnxModelFile.Validate(bytes)[OnnxMetadataKeys.Contract]);
        using var session = Session(bytes);
        // New users: random histories, one of them empty.
        var rng = new Random(9);
        var purchases = new float[n * Items];
        for (int p = Items; p < purchases.Length; p++) purchases[p] = rng.NextDouble() < 0.3 ? 1 : 0;
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(OnnxContract.PurchasesInput, new DenseTensor<float>(purchases, [n, Items]))]);
        var itemScores = results.First(r => r.Name == OnnxContract.ItemScoresOutput).AsTensor<float>();
        var topScores = results.First(r => r.Name == OnnxContract.ScoresOutput).AsTensor<float>();
        var catalog = results.First(r => r.Name == OnnxContract.CatalogOutput);
        var catalogIds = kind == IdKind.Int64
            ? catalog.AsTensor<long>().Select(id => id.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray()
            : catalog.AsTensor<string>().ToArray();
        CollectionAssert.AreEqual(Enumerable.Range(0, Items).Select(model.Items.GetIdText).ToArray(), catalogIds, "the catalogue is in vocabulary order");

        var expected = new float[Items];
        for (int row = 0; row < n; row++)
        {
            var vector = purchases.AsSpan(row * Items, Items).ToArray();
            model.ScorePurchaseVector(vector, expected);
            for (int i = 0; i < Items; i++) Assert.AreEqual(expected[i], itemScores[row, i], 1e-5, $"row {row}, item {i}");
            var open = Enumerable.Range(0, Items).Where(i => vector[i] == 0).OrderByDescending(i => expected[i]).ThenBy(i => i).Take(k).ToArray();
            for (int r = 0; r < k; r++) Assert.AreEqual(expected[open[r]], topScores[row, r], 1e-5, $"row {row}, rank {r}: purchased items are left out");
        }
        // The empty history is exactly the unknown user of the id-keyed graphs.
        var unknown = new float[Items];
        model.ScoreAllItems(-1, unknown);
        for (int i = 0; i < Items; i++) Assert.AreEqual(unknown[i], itemScores[0, i], 1e-5);
    }

    [TestMethod]
    public void ItemBasedModelsHaveNoPurchaseVectorGraph()
    {
        var model = RandomCfgan(IdKind.Int64, sigmoidOutput: false, CfganOrientation.ItemBased);
        var e = Assert.ThrowsExactly<InvalidOperationException>(() => model.ExportPurchaseVectorScorer(new TopKExportOptions { ModelKind = "cfgan-generator", K = 3 }));
        StringAssert.Contains(e.Message, OnnxContract.CfganUserBased);
        Assert.ThrowsExactly<InvalidOperationException>(() => model.ScorePurchaseVector(new float[Items], new float[Items]));
        var metadata = OnnxModelFile.Validate(model.ExportPairwiseScorer(ExportOptions(model)));
        Assert.AreEqual(OnnxContract.CfganItemBased, metadata[OnnxMetadataKeys.CfganOrientation]);
    }

    [TestMethod]
    public void ExportsAreDeterministicAndCarryTheirContract()
    {
        var model = RandomCfgan(IdKind.Int64, sigmoidOutput: false);
        var scorer = model.ExportPairwiseScorer(ExportOptions(model));
        CollectionAssert.AreEqual(scorer, model.ExportPairwiseScorer(ExportOptions(model)));
        var metadata = OnnxModelFile.Validate(scorer, "scorer", OnnxMetadataKeys.PairwiseScorerContract);
        Assert.AreEqual("cfgan-generator", metadata[OnnxMetadataKeys.ModelKind]);
        Assert.AreEqual(model.Purchases.ComputeHash(), metadata[OnnxMetadataKeys.TrainingDataHash]);
        OnnxModelFile.Validate(model.ExportTopK(new TopKExportOptions { ModelKind = "cfgan-generator", TrainingData = model.Purchases, K = 3, ExcludeTrainingItems = true }),
            "topk", OnnxMetadataKeys.TopKContract);
        Assert.ThrowsExactly<ArgumentException>(() => model.ExportTopK(new TopKExportOptions { ModelKind = "cfgan-generator", K = 3, ExcludeTrainingItems = true }));
    }
}
