using MLNet.Adversarial.Models;

namespace MLNet.Adversarial.Trainers;

/// <summary>What a training run produced: the selected model and the per-epoch history.</summary>
/// <param name="Model">The model of the best validated epoch, or of the last epoch without validation data.</param>
/// <param name="History">One report per epoch run.</param>
/// <param name="SelectedEpoch">The epoch <paramref name="Model"/> comes from (0: no epoch was run).</param>
public sealed record TrainingResult(FactorizationModel Model, IReadOnlyList<TrainingEpochReport> History, int SelectedEpoch);
