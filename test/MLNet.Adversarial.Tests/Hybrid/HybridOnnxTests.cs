using Microsoft.ML.OnnxRuntime;
using MLNet.Adversarial.Data;
using MLNet.Adversarial.Models;
using MLNet.Adversarial.Onnx;
using MLNet.Adversarial.Text;
using MLNet.Adversarial.Tests.Onnx;

namespace MLNet.Adversarial.Tests.Hybrid;

[TestClass]
public sealed class HybridOnnxTests
{
    private const int TextDimension = 5;

    /// <summary>A random id model with random text parts (user text optional), every value in [-1, 1).</summary>
    internal static HybridFactorizationModel RandomHybrid(IdKind kind, bool userText, int seed = 3)
    {
        var factors = OnnxTestModels.RandomModel(kind, seed);
        var rng = new Random(seed + 1);
        float[] Draw(int n) => Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        TextProjection Part(int rows) => new(factors.Dimension, TextDimension, Draw(rows * TextDimension), Draw(TextDimension), Draw(TextDimension * factors.Dimension));
        return new HybridFactorizationModel(factors, Part(factors.Items.Count), userText ? Part(factors.Users.Count) : null);
    }

    [TestMethod]
    [DataRow(IdKind.Int64, false)]
    [DataRow(IdKind.String, true)]
    [DataRow(IdKind.Int64, true)]
    public void PairwiseScorerEqualsTheCSharpScoresForKnownAndUnknownIds(IdKind kind, bool userText)
    {
        var model = RandomHybrid(kind, userText);
        var (userInts, userStrings) = OnnxTestModels.KnownAndUnknownIds(model.Users);
        var (itemInts, itemStrings) = OnnxTestModels.KnownAndUnknownIds(model.Items);
        int users = userInts?.Length ?? userStrings!.Length, items = itemInts?.Length ?? itemStrings!.Length;
        // Every (user, item) pair, known and unknown ids alike.
        T[]? Repeat<T>(T[]? ids, bool outer) => ids is null ? null
            : Enumerable.Range(0, users * items).Select(n => ids[outer ? n / items : n % items]).ToArray();
        var u = (Repeat(userInts, true), Repeat(userStrings, true));
        var i = (Repeat(itemInts, false), Repeat(itemStrings, false));

        var onnx = model.ExportPairwiseScorer(OnnxTestModels.Options());
        using var session = OnnxTestModels.Session(onnx);
        using var results = session.Run([
            OnnxTestModels.IdInput(OnnxContract.UserInput, u.Item1, u.Item2, column: false),
            OnnxTestModels.IdInput(OnnxContract.ItemInput, i.Item1, i.Item2, column: false)]);
        var scores = results.Single().AsEnumerable<float>().ToArray();

        for (int n = 0; n < scores.Length; n++)
        {
            int user = OnnxTestModels.IndexOf(model.Users, u.Item1, u.Item2, n), item = OnnxTestModels.IndexOf(model.Items, i.Item1, i.Item2, n);
            Assert.AreEqual(model.Score(user, item), scores[n], 1e-5, $"pair {n} (user {user}, item {item})");
        }
        Assert.AreNotEqual(model.IdFactors.Score(0, 0), model.Score(0, 0), 1e-3, "the text part changes the score");
        var ops = global::Onnx.ModelProto.Parser.ParseFrom(onnx).Graph.Node.Select(node => node.OpType).ToList();
        Assert.AreEqual(userText ? 2 : 1, ops.Count(op => op == "MatMul"), "the graph projects the text itself");
    }

    [TestMethod]
    [DataRow(IdKind.Int64, false, true)]
    [DataRow(IdKind.String, true, false)]
    public void TopKEqualsTheCSharpRanking(IdKind kind, bool userText, bool exclude)
    {
        var model = RandomHybrid(kind, userText, seed: 9);
        var training = OnnxTestModels.RandomTraining(model.IdFactors);
        const int k = 6;
        var onnx = model.ExportTopK(new TopKExportOptions { ModelKind = "hybrid-bpr-mf", K = k, ExcludeTrainingItems = exclude, TrainingData = training });
        var (ints, strings) = OnnxTestModels.KnownAndUnknownIds(model.Users);
        using var session = OnnxTestModels.Session(onnx);
        using var results = session.Run([OnnxTestModels.IdInput(OnnxContract.UserInput, ints, strings, column: false)]);
        var scores = results.First(r => r.Name == OnnxContract.ScoresOutput).AsEnumerable<float>().ToArray();
        var ids = results.First(r => r.Name == OnnxContract.ItemIdsOutput);
        var itemIds = kind == IdKind.Int64
            ? ids.AsEnumerable<long>().Select(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray()
            : ids.AsEnumerable<string>().ToArray();

        var all = new float[model.Items.Count];
        for (int row = 0; row < scores.Length / k; row++)
        {
            int user = OnnxTestModels.IndexOf(model.Users, ints, strings, row);
            model.ScoreAllItems(user, all);
            if (exclude && user >= 0) foreach (var i in training.ItemsOf(user)) all[i] = float.NegativeInfinity;
            var expected = Enumerable.Range(0, all.Length).OrderByDescending(i => all[i]).ThenBy(i => i).Take(k).ToArray();
            for (int r = 0; r < k; r++)
            {
                Assert.AreEqual(all[expected[r]], scores[row * k + r], 1e-5, $"user row {row}, rank {r}");
                if (!float.IsNegativeInfinity(all[expected[r]])) Assert.AreEqual(model.Items.GetIdText(expected[r]), itemIds[row * k + r], $"user row {row}, rank {r}");
            }
        }
        var metadata = OnnxModelFile.Validate(onnx, "top-k", OnnxMetadataKeys.TopKContract);
        Assert.AreEqual(TextDimension.ToString(System.Globalization.CultureInfo.InvariantCulture), metadata[OnnxMetadataKeys.ItemTextDimension]);
    }

    [TestMethod]
    public void ANewTextOnlyItemIsRankedByTheExportWithoutRetraining()
    {
        var model = RandomHybrid(IdKind.Int64, userText: false);
        const int user = 2;
        // The text whose projection points along the user's vector: (t − c)·W = α·W·Wᵀp_u has a positive dot with p_u.
        var p = model.Effective.UserVector(user).ToArray();
        int t = TextDimension, d = model.Dimension;
        var text = new float[t];
        for (int k = 0; k < t; k++)
        {
            float wp = 0;
            for (int j = 0; j < d; j++) wp += model.ItemText.Weights[k * d + j] * p[j];
            text[k] = model.ItemText.Center[k] + 50 * wp;
        }
        var extended = model.WithNewItems(["77777", "88888"], [text, model.ItemText.Center.ToArray()]);
        Assert.AreEqual(model.Items.Count + 2, extended.Items.Count);
        int added = extended.Items.IndexOf("77777"), average = extended.Items.IndexOf("88888");
        CollectionAssert.AreEqual(model.IdFactors.FallbackItemFactor, extended.IdFactors.ItemVector(added).ToArray(), "a new item's id part is the mean item's");
        Assert.AreEqual(model.IdFactors.FallbackItemBias, extended.IdFactors.ItemBias[added]);
        float meanIdItem = System.Numerics.Tensors.TensorPrimitives.Dot<float>(p, model.IdFactors.FallbackItemFactor) + model.IdFactors.FallbackItemBias;
        Assert.AreEqual(meanIdItem, extended.Score(user, average), 1e-4, "a new item whose text is the centre scores as the mean id item");
        for (int i = 0; i < model.Items.Count; i++)
            Assert.AreEqual(model.Score(user, i), extended.Score(user, extended.Items.IndexOf(model.Items, i)), 1e-5, "trained items keep their scores");

        var onnx = extended.ExportTopK(new TopKExportOptions { ModelKind = "hybrid-bpr-mf", K = 3 });
        using var session = OnnxTestModels.Session(onnx);
        using var results = session.Run([OnnxTestModels.IdInput(OnnxContract.UserInput, [model.Users.Int64Ids[user]], null, column: false)]);
        var top = results.First(r => r.Name == OnnxContract.ItemIdsOutput).AsEnumerable<long>().ToArray();
        Assert.AreEqual(77777L, top[0], "the text-only item tops the user's ranking");
    }

    [TestMethod]
    public void NewItemsWithAWrongWidthOrKnownOrMalformedIdsAreRejected()
    {
        var model = RandomHybrid(IdKind.Int64, userText: false);
        var ok = new float[TextDimension];
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => model.WithNewItems(["5"], [new float[TextDimension + 1]])).Message,
            $"has {TextDimension + 1} values; the model's item text embeddings have {TextDimension}");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => model.WithNewItems([model.Items.GetIdText(0)], [ok])).Message, "already in the catalogue");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => model.WithNewItems(["abc"], [ok])).Message, "not an integer id");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => model.WithNewItems(["5", "5"], [ok, ok])).Message, "twice");
        var wide = new MLNet.Adversarial.Text.TextFeatures(["5"], [new float[TextDimension + 2]], "new-items.tsv");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => model.WithNewItems(wide)).Message, "new-items.tsv");
    }

    [TestMethod]
    public void SavedModelsLoadBackThroughTheModelFileAndTruncationIsReported()
    {
        var model = RandomHybrid(IdKind.String, userText: true);
        using var stream = new MemoryStream();
        model.Save(stream);
        var bytes = stream.ToArray();
        var loaded = (HybridFactorizationModel)RecommenderModelFile.Load(new MemoryStream(bytes));
        CollectionAssert.AreEqual(model.Effective.ItemFactors, loaded.Effective.ItemFactors);
        CollectionAssert.AreEqual(model.Effective.UserFactors, loaded.Effective.UserFactors);
        CollectionAssert.AreEqual(model.ItemText.Weights, loaded.ItemText.Weights);
        Assert.IsTrue(model.Users.Equals(loaded.Users) && model.Items.Equals(loaded.Items));

        var e = Assert.ThrowsExactly<InvalidDataException>(() => RecommenderModelFile.Load(new MemoryStream(bytes[..^7]), "model.bin"));
        StringAssert.Contains(e.Message, "model.bin");
    }
}
