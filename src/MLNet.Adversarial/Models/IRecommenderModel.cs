using MLNet.Adversarial.Data;
using MLNet.Adversarial.Onnx;

namespace MLNet.Adversarial.Models;

/// <summary>
/// A trained recommender as the rest of the library sees it, whatever its architecture (matrix factorisation, a
/// GAN generator, a hybrid with text features): it ranks its item catalogue for a user, writes the two ONNX
/// contracts that serving is built on, and saves itself. Trainers produce one; <see cref="Serving.RecommenderTransformer"/>
/// serves its pairwise scorer; evaluators read it through <see cref="Evaluation.RecommenderModelScorer"/>.
/// </summary>
public interface IRecommenderModel
{
    /// <summary>User vocabulary: user index u is the raw id <c>Users[u]</c>.</summary>
    IdVocabulary Users { get; }

    /// <summary>Item vocabulary: the catalogue the model ranks.</summary>
    IdVocabulary Items { get; }

    /// <summary>
    /// Writes the score of every catalogue item for user index <paramref name="user"/> (-1: a user the model has not
    /// seen, scored with the model's fallback) into <paramref name="scores"/> (length <c>Items.Count</c>).
    /// Must be safe to call concurrently.
    /// </summary>
    void ScoreAllItems(int user, Span<float> scores);

    /// <summary>
    /// The pairwise scorer: inputs <c>user</c> and <c>item</c> (raw ids), output float <c>score</c> <c>[N]</c>
    /// (see <see cref="FactorizationOnnxExporter.ExportPairwiseScorer(FactorizationModel, OnnxExportOptions)"/> for the contract).
    /// </summary>
    byte[] ExportPairwiseScorer(OnnxExportOptions options);

    /// <summary>
    /// The top-K recommender: input <c>user</c> (raw ids), outputs <c>item_ids</c> and <c>scores</c> <c>[N,K]</c>
    /// (see <see cref="FactorizationOnnxExporter.ExportTopK(FactorizationModel, TopKExportOptions)"/> for the contract).
    /// </summary>
    byte[] ExportTopK(TopKExportOptions options);

    /// <summary>Writes the model in its versioned binary format, readable by <see cref="RecommenderModelFile.Load"/>.</summary>
    void Save(Stream stream);
}
