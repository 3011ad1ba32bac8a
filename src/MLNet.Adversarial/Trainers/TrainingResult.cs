using MLNet.Adversarial.Models;

namespace MLNet.Adversarial.Trainers;

/// <summary>What a training run produced: the selected model and the per-epoch history.</summary>
/// <typeparam name="TModel">The model type the trainer produces.</typeparam>
/// <param name="Model">The model of the best validated epoch, or of the last epoch without validation data.</param>
/// <param name="History">One report per epoch run.</param>
/// <param name="SelectedEpoch">The epoch <paramref name="Model"/> comes from (0: no epoch was run).</param>
public sealed record TrainingResult<TModel>(TModel Model, IReadOnlyList<TrainingEpochReport> History, int SelectedEpoch)
    where TModel : IRecommenderModel
{
    /// <summary>The same result typed as any recommender model, as <see cref="Serving.RecommenderTransformer"/> keeps it.</summary>
    public TrainingResult<IRecommenderModel> AsRecommender() => new(Model, History, SelectedEpoch);
}
