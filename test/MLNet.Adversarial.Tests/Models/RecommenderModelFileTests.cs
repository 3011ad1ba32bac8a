using MLNet.Adversarial.Data;
using MLNet.Adversarial.Evaluation;
using MLNet.Adversarial.Models;

namespace MLNet.Adversarial.Tests.Models;

[TestClass]
public sealed class RecommenderModelFileTests
{
    private static FactorizationModel SmallModel() =>
        new(IdVocabulary.FromInt64([1, 2]), IdVocabulary.FromInt64([10, 11, 12]), 2,
            [1f, 0.5f, -1f, 2f], [1f, 0f, 0f, 1f, 0.5f, 0.5f], [0.3f, -0.2f, 0.1f]);

    [TestMethod]
    public void LoadsASavedFactorizationModelThroughTheCommonReader()
    {
        var model = SmallModel();
        using var stream = new MemoryStream();
        model.Save(stream);
        stream.Position = 0;
        var loaded = RecommenderModelFile.Load(stream, "small.bin");
        Assert.IsInstanceOfType<FactorizationModel>(loaded);
        var expected = new float[3];
        var actual = new float[3];
        model.ScoreAllItems(1, expected);
        loaded.ScoreAllItems(1, actual);
        CollectionAssert.AreEqual(expected, actual);
    }

    [TestMethod]
    public void UnknownHeaderIsRejectedNamingTheSource()
    {
        using var stream = new MemoryStream("not a model at all"u8.ToArray());
        var e = Assert.ThrowsExactly<InvalidDataException>(() => RecommenderModelFile.Load(stream, "odd.bin"));
        StringAssert.Contains(e.Message, "odd.bin");
    }

    [TestMethod]
    public void ScorerOverAnotherCatalogueRanksItemsTheModelLacksLastOnlyForNonFactorizationModels()
    {
        var model = SmallModel();
        var catalogue = IdVocabulary.FromInt64([10, 11, 12, 99]);
        var users = IdVocabulary.FromInt64([1, 2]);
        var scores = new float[4];
        new RecommenderModelScorer(model, users, catalogue).ScoreAllItems(0, scores);
        // A factorisation model scores an unknown item with its fallback row, as its ONNX export does.
        Assert.AreEqual(model.Score(0, -1), scores[3], 1e-6);
        Assert.AreEqual(model.Score(0, 2), scores[2], 1e-6);

        new RecommenderModelScorer(new OpaqueModel(model), users, catalogue).ScoreAllItems(0, scores);
        Assert.AreEqual(float.NegativeInfinity, scores[3]);
        Assert.AreEqual(model.Score(0, 2), scores[2], 1e-6);
    }

    /// <summary>Any other model kind: forwards to a factorisation model without being one.</summary>
    private sealed class OpaqueModel(FactorizationModel inner) : IRecommenderModel
    {
        public IdVocabulary Users => inner.Users;
        public IdVocabulary Items => inner.Items;
        public void ScoreAllItems(int user, Span<float> scores) => inner.ScoreAllItems(user, scores);
        public void Save(Stream stream) => inner.Save(stream);
    }
}
