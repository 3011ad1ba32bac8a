using MLNet.Adversarial.Models;

namespace MLNet.Adversarial.Training;

/// <summary>How the shared training path asks the <see cref="TrainingLoop"/> to run one trainer.</summary>
internal sealed record TrainingRequest
{
    /// <summary>The maximum number of epochs (early stopping may end training before).</summary>
    public required int MaxEpochs { get; init; }

    /// <summary>The settings that shape the trajectory, from the trainer's one settings method (checked on resume).</summary>
    public required IReadOnlyDictionary<string, string> Settings { get; init; }

    /// <summary>Higher is better; null: no validation (no selection, no plateau, no early stopping).</summary>
    public Func<IRecommenderModel, double>? Validate { get; init; }

    /// <summary>Validated epochs without improvement that end a plateau phase, and (in the last phase) training; 0: never.</summary>
    public int Patience { get; init; }

    /// <summary>A fixed schedule to replay (a refit): phases end at its epochs, training at its epoch count, nothing is validated.</summary>
    public TrainingSchedule? Replay { get; init; }

    /// <summary>For a refit: the validated run whose schedule it replays (recorded in its checkpoints).</summary>
    public TrainingResult<IRecommenderModel>? SelectionRun { get; init; }

    /// <summary>Continue from this checkpoint.</summary>
    public TrainingCheckpoint? ResumeFrom { get; init; }

    /// <summary>Where checkpoints are written (atomically); null: none.</summary>
    public string? CheckpointPath { get; init; }

    /// <summary>Epochs between checkpoint files (one is always written after the last epoch).</summary>
    public int CheckpointEvery { get; init; } = 1;

    /// <summary>Receives each epoch's report, after its checkpoint is written.</summary>
    public IProgress<TrainingEpochReport>? Progress { get; init; }

    /// <summary>The log (MLContext.Log channel).</summary>
    public Action<string>? Log { get; init; }

    /// <summary>Stops at the next batch.</summary>
    public CancellationToken Cancellation { get; init; }
}
