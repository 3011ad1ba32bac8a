using MLNet.Adversarial.Data;
using MLNet.Adversarial.Models;
using MLNet.Adversarial.Onnx;

namespace MLNet.Adversarial.Tests.Onnx;

/// <summary><c>model.ExportTopK(...)</c> and <c>model.ExportPairwiseScorer(...)</c> pick the exporter of the model's kind.</summary>
[TestClass]
public sealed class RecommenderModelOnnxExtensionsTests
{
    private static readonly FactorizationModel Small =
        new(IdVocabulary.FromInt64([1, 2]), IdVocabulary.FromInt64([10, 11, 12]), 2,
            [1f, 0.5f, -1f, 2f], [1f, 0f, 0f, 1f, 0.5f, 0.5f], [0.3f, -0.2f, 0.1f]);

    [TestMethod]
    public void ALibraryModelSeenThroughTheInterfaceExportsLikeItsExporter()
    {
        IRecommenderModel model = Small;
        var options = new OnnxExportOptions { ModelKind = "bpr-mf" };
        CollectionAssert.AreEqual(FactorizationOnnxExporter.ExportPairwiseScorer(Small, options), model.ExportPairwiseScorer(options));
        var topK = new TopKExportOptions { ModelKind = "bpr-mf", K = 2 };
        CollectionAssert.AreEqual(FactorizationOnnxExporter.ExportTopK(Small, topK), model.ExportTopK(topK));
    }

    [TestMethod]
    public void AnOutsideModelExportsThroughIOnnxExportableOrIsRefusedNamingTheInterface()
    {
        IRecommenderModel own = new OutsideModel(Small);
        CollectionAssert.AreEqual(new byte[] { 1 }, own.ExportPairwiseScorer(new OnnxExportOptions { ModelKind = "x" }));
        CollectionAssert.AreEqual(new byte[] { 2 }, own.ExportTopK(new TopKExportOptions { ModelKind = "x", K = 1 }));

        IRecommenderModel opaque = new OpaqueModel(Small);
        var e = Assert.ThrowsExactly<NotSupportedException>(() => opaque.ExportTopK(new TopKExportOptions { ModelKind = "x", K = 1 }));
        StringAssert.Contains(e.Message, nameof(IOnnxExportable));
    }

    private class OpaqueModel(FactorizationModel inner) : IRecommenderModel
    {
        public IdVocabulary Users => inner.Users;
        public IdVocabulary Items => inner.Items;
        public void ScoreAllItems(int user, Span<float> scores) => inner.ScoreAllItems(user, scores);
        public void Save(Stream stream) => inner.Save(stream);
    }

    private sealed class OutsideModel(FactorizationModel inner) : OpaqueModel(inner), IOnnxExportable
    {
        public byte[] ExportPairwiseScorer(OnnxExportOptions options) => [1];
        public byte[] ExportTopK(TopKExportOptions options) => [2];
    }
}
