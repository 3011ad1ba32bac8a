using MLNet.Adversarial.Data;

namespace MLNet.Adversarial.Models;

/// <summary>
/// A trained recommender as the rest of the library sees it, whatever its architecture (matrix factorisation, a
/// GAN generator, a hybrid with text features): it ranks its item catalogue for a user and saves itself. Trainers
/// produce one; the ONNX layer (a folder above this one) exports it with the extension methods <c>ExportPairwiseScorer</c>
/// and <c>ExportTopK</c> of <c>MLNet.Adversarial.Onnx.RecommenderModelOnnxExtensions</c>; serving is built on those graphs;
/// evaluators read it through <c>Evaluation.RecommenderModelScorer</c>.
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

    /// <summary>Writes the model in its versioned binary format, readable by <see cref="RecommenderModelFile.Load"/>.</summary>
    void Save(Stream stream);
}
