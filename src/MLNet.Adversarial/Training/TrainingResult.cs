using MLNet.Adversarial.Models;

namespace MLNet.Adversarial.Training;

/// <summary>What a training run produced: the selected model, the per-epoch history and the schedule it followed.</summary>
/// <typeparam name="TModel">The model type the trainer produces.</typeparam>
/// <param name="Model">The model of the best validated epoch, or of the last epoch without validation data.</param>
/// <param name="History">One report per epoch run (a resumed run includes the epochs before the interruption).</param>
/// <param name="SelectedEpoch">The epoch <paramref name="Model"/> comes from (0: no epoch was run).</param>
public sealed record TrainingResult<TModel>(TModel Model, IReadOnlyList<TrainingEpochReport> History, int SelectedEpoch)
    where TModel : IRecommenderModel
{
    /// <summary>
    /// The last epoch of each phase before the last one (for APR the last warm-up epoch, for IRGAN the last BPR
    /// pre-training epoch); empty for a single-phase schedule or when training ended inside the first phase. With
    /// <see cref="SelectedEpoch"/> this is the schedule a refit without validation data replays.
    /// </summary>
    public IReadOnlyList<int> PhaseSwitchEpochs { get; init; } = [];

    /// <summary>
    /// For each of <see cref="PhaseSwitchEpochs"/>, the epoch whose model the next phase started from: the switch
    /// itself, or the best validated epoch of the phase that ended (APR's adversarial phase starts from the best BPR
    /// warm-up, IRGAN's game from the best pre-trained G). Null: the same as <see cref="PhaseSwitchEpochs"/>.
    /// </summary>
    public IReadOnlyList<int>? PhaseStartEpochs { get; init; }

    /// <summary>
    /// With <c>RefitOnAllData</c>: the validated run on the training rows less the internal holdout, whose selected
    /// epoch and phase switches this (refitted) model replays. Null when the model was not refitted.
    /// </summary>
    public TrainingResult<IRecommenderModel>? ModelSelection { get; init; }

    /// <summary>The same result typed as any recommender model, as the serving transformer keeps it.</summary>
    public TrainingResult<IRecommenderModel> AsRecommender() =>
        new(Model, History, SelectedEpoch) { PhaseSwitchEpochs = PhaseSwitchEpochs, PhaseStartEpochs = PhaseStartEpochs, ModelSelection = ModelSelection };

    /// <summary>The same result with the model cast to <typeparamref name="TOther"/>.</summary>
    internal TrainingResult<TOther> As<TOther>() where TOther : IRecommenderModel =>
        new((TOther)(IRecommenderModel)Model, History, SelectedEpoch) { PhaseSwitchEpochs = PhaseSwitchEpochs, PhaseStartEpochs = PhaseStartEpochs, ModelSelection = ModelSelection };

    /// <summary>
    /// The schedule a refit replays: each phase before the selected epoch runs to the epoch its successor started
    /// from, and the phases after it keep their length, up to the selected epoch.
    /// </summary>
    internal TrainingSchedule Schedule()
    {
        var ends = new List<int>();
        int dropped = 0; // epochs past a phase's best that its successor did not build on
        for (int k = 0; k < PhaseSwitchEpochs.Count && PhaseSwitchEpochs[k] < SelectedEpoch; k++)
        {
            int start = PhaseStartEpochs?[k] ?? PhaseSwitchEpochs[k];
            dropped += PhaseSwitchEpochs[k] - start;
            ends.Add(PhaseSwitchEpochs[k] - dropped);
        }
        return new TrainingSchedule(ends, SelectedEpoch - dropped);
    }
}
