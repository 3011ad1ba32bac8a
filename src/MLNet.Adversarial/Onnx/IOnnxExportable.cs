using MLNet.Adversarial.Models;

namespace MLNet.Adversarial.Onnx;

/// <summary>
/// A model of a kind this library does not know that writes its own ONNX contracts. The library's models are exported
/// by <see cref="RecommenderModelOnnxExtensions"/>; an <see cref="IRecommenderModel"/> from elsewhere implements this
/// interface to be exported, served (<c>RecommenderTransformer</c>) and saved like them.
/// </summary>
public interface IOnnxExportable
{
    /// <summary>The pairwise scorer (see <see cref="FactorizationOnnxExporter.ExportPairwiseScorer(FactorizationModel, OnnxExportOptions)"/> for the contract).</summary>
    byte[] ExportPairwiseScorer(OnnxExportOptions options);

    /// <summary>The top-K recommender (see <see cref="FactorizationOnnxExporter.ExportTopK(FactorizationModel, TopKExportOptions)"/> for the contract).</summary>
    byte[] ExportTopK(TopKExportOptions options);
}
