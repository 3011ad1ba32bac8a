using MLNet.Adversarial.Models;

namespace MLNet.Adversarial.Training;

/// <summary>
/// What a trainer supplies to the <see cref="TrainingLoop"/> (LensKit style: the loop owns the epochs, a model
/// supplies its epoch): its phases, one epoch's step, a snapshot of the model to validate and serve, and its whole
/// state (weights, optimiser moments, adversaries, any order or random state not derived from the seed and epoch)
/// for checkpoints.
/// </summary>
internal interface IEpochTrainer : IDisposable
{
    /// <summary>The schedule's phases, in order (at least one).</summary>
    IReadOnlyList<TrainingPhase> Phases { get; }

    /// <summary>Trains epoch <paramref name="epoch"/> (1-based) of phase <paramref name="phase"/>; <paramref name="nextEpoch"/> may be prefetched.</summary>
    EpochOutcome RunEpoch(int epoch, int phase, int? nextEpoch, CancellationToken cancellation);

    /// <summary>The model as it is now (what is validated, selected and served).</summary>
    IRecommenderModel Snapshot();

    /// <summary>
    /// Called when phase <paramref name="phase"/> (≥ 1) starts. With <see cref="TrainingPhase.StartsFromPreviousBest"/>,
    /// <paramref name="start"/> is the model to start from (the previous phase's best validated model; without
    /// validation, the model as it is); otherwise, and when the loop resumes from a checkpoint (whose state follows),
    /// it is null and the trainer continues from its own state.
    /// </summary>
    void EnterPhase(int phase, IRecommenderModel? start);

    /// <summary>Writes every stateful part of the trainer.</summary>
    void WriteState(BinaryWriter writer);

    /// <summary>Restores what <see cref="WriteState"/> wrote (the phase has been entered already).</summary>
    void ReadState(BinaryReader reader);

    /// <summary>What to change when the loss diverges, e.g. "lower LearningRate or raise L2Regularization".</summary>
    string DivergenceAdvice { get; }
}
