namespace MLNet.Adversarial.Trainers;

/// <summary>
/// Options every recommender trainer shares, whatever its model: the data columns, the random seed, where
/// TorchSharp trains, validation with model selection, progress and cancellation, and the serving exports.
/// </summary>
public abstract class RecommenderTrainerOptions
{
    /// <summary>Default values, as in ML.NET's <c>Defaults</c> classes.</summary>
    public static class Defaults
    {
        /// <summary>Default <see cref="UserColumnName"/>.</summary>
        public const string UserColumnName = "UserId";
        /// <summary>Default <see cref="ItemColumnName"/>.</summary>
        public const string ItemColumnName = "ItemId";
        /// <summary>Default <see cref="ScoreColumnName"/>.</summary>
        public const string ScoreColumnName = "Score";
        /// <summary>Default <see cref="ValidationK"/>.</summary>
        public const int ValidationK = 10;
        /// <summary>Default <see cref="EarlyStoppingPatience"/>.</summary>
        public const int EarlyStoppingPatience = 10;
        /// <summary>Default <see cref="TopK"/>.</summary>
        public const int TopK = 10;
        /// <summary>Default <see cref="ValidationFraction"/>.</summary>
        public const double ValidationFraction = 0.1;
    }

    /// <summary>The user id column: a key column (e.g. from <c>MapValueToKey</c>), an integer, whole-number or text column.</summary>
    public string UserColumnName { get; set; } = Defaults.UserColumnName;

    /// <summary>The item id column: a key column, an integer, whole-number or text column.</summary>
    public string ItemColumnName { get; set; } = Defaults.ItemColumnName;

    /// <summary>Optional rating column (Single or Double). With <see cref="MinRating"/> it selects the positives.</summary>
    public string? RatingColumnName { get; set; }

    /// <summary>Rows with a rating at or above this value are positives; the others only add their ids to the catalogue. Null: every row is a positive.</summary>
    public float? MinRating { get; set; }

    /// <summary>The output column the fitted transformer adds.</summary>
    public string ScoreColumnName { get; set; } = Defaults.ScoreColumnName;

    /// <summary>Random seed for initialisation, shuffling and sampling. Null: drawn from the <c>MLContext</c>'s seed.</summary>
    public int? Seed { get; set; }

    /// <summary>Where TorchSharp trains.</summary>
    public TrainingDevice Device { get; set; } = TrainingDevice.Auto;

    /// <summary>
    /// libtorch intra-op CPU threads while training (restored afterwards). Null: 1 — the row gathers and small matrix
    /// products of a factorisation batch run fastest on one thread, and libtorch's OpenMP pool busy-waits, which
    /// slowed training up to 50× on a 2-core machine with another busy process. Raise it for large dimensions.
    /// </summary>
    public int? NumberOfThreads { get; set; }

    /// <summary>Optional validation data (same columns as the training data). Enables model selection and early stopping on NDCG@<see cref="ValidationK"/>.</summary>
    public Microsoft.ML.IDataView? ValidationData { get; set; }

    /// <summary>
    /// When <see cref="ValidationData"/> is null: the share of each user's training positives held out (seeded by
    /// <see cref="Seed"/>) as validation data for model selection, the phase switches and early stopping. 0: no
    /// internal validation (a fixed schedule of <c>Epochs</c> epochs).
    /// </summary>
    public double ValidationFraction { get; set; } = Defaults.ValidationFraction;

    /// <summary>
    /// With the internal split (<see cref="ValidationFraction"/>): after selection, train again on all the rows,
    /// replaying the selected schedule (its phase switches and epoch count) without validation, and serve that model.
    /// False serves the model selected on the rest of the rows.
    /// </summary>
    public bool RefitOnAllData { get; set; } = true;

    /// <summary>K of the validation NDCG.</summary>
    public int ValidationK { get; set; } = Defaults.ValidationK;

    /// <summary>Stop after this many validated epochs without improvement (0 disables early stopping; the best epoch is still kept).</summary>
    public int EarlyStoppingPatience { get; set; } = Defaults.EarlyStoppingPatience;

    /// <summary>
    /// Folder to write a training checkpoint to (<see cref="CheckpointFileName"/>, atomically: a temporary file, then a
    /// rename) every <see cref="CheckpointEvery"/> epochs and after the last epoch. Null: no checkpoint files. A process
    /// killed at any moment leaves the previous complete checkpoint; continue with <see cref="ResumeFrom"/> =
    /// <c>TrainingCheckpoint.Load(...)</c> and the same data, options and seed to get the uninterrupted run's model.
    /// </summary>
    public string? CheckpointDirectory { get; set; }

    /// <summary>Epochs between checkpoint files in <see cref="CheckpointDirectory"/>.</summary>
    public int CheckpointEvery { get; set; } = 1;

    /// <summary>The checkpoint file name inside <see cref="CheckpointDirectory"/>.</summary>
    public const string CheckpointFileName = "checkpoint.bin";

    /// <summary>Continue from this checkpoint (from <c>RecommenderTransformer.Checkpoint</c> or <see cref="Training.TrainingCheckpoint.Load(string)"/>) instead of a fresh initialisation.</summary>
    public Training.TrainingCheckpoint? ResumeFrom { get; set; }

    /// <summary>Stops training at the next batch; <c>Fit</c> then throws <see cref="OperationCanceledException"/>.</summary>
    public CancellationToken CancellationToken { get; set; }

    /// <summary>Receives a report after every epoch (after its checkpoint is written).</summary>
    public IProgress<Training.TrainingEpochReport>? Progress { get; set; }

    /// <summary>K of the exported top-K recommender graph.</summary>
    public int TopK { get; set; } = Defaults.TopK;

    /// <summary>Whether the exported top-K graph leaves out items the user had in training.</summary>
    public bool ExcludeTrainingItemsFromTopK { get; set; } = true;

    /// <summary>GPU used by ONNX Runtime when serving; null takes <c>MLContext.GpuDeviceId</c> (no GPU unless one is set).</summary>
    public int? GpuDeviceId { get; set; }

    /// <summary>Whether serving falls back to the CPU when the GPU cannot be used; null takes <c>MLContext.FallbackToCpu</c>.</summary>
    public bool? FallbackToCpu { get; set; }

    /// <summary>Checks every option and throws an <see cref="ArgumentOutOfRangeException"/> naming the bad one.</summary>
    public virtual void Validate()
    {
        Check(!string.IsNullOrWhiteSpace(UserColumnName), nameof(UserColumnName), "must name a column");
        Check(!string.IsNullOrWhiteSpace(ItemColumnName), nameof(ItemColumnName), "must name a column");
        Check(!string.IsNullOrWhiteSpace(ScoreColumnName), nameof(ScoreColumnName), "must name a column");
        Check(ValidationK > 0, nameof(ValidationK), "must be positive");
        Check(EarlyStoppingPatience >= 0, nameof(EarlyStoppingPatience), "must not be negative");
        Check(TopK > 0, nameof(TopK), "must be positive");
        Check(NumberOfThreads is null or > 0, nameof(NumberOfThreads), "must be positive");
        Check(ValidationFraction is >= 0 and < 1, nameof(ValidationFraction), "must be in [0, 1)");
        Check(CheckpointEvery > 0, nameof(CheckpointEvery), "must be positive");
        Check(CheckpointDirectory is null || !string.IsNullOrWhiteSpace(CheckpointDirectory), nameof(CheckpointDirectory), "must name a folder or be null");
        Check(MinRating is null || float.IsFinite(MinRating.Value), nameof(MinRating), "must be a finite number");
    }

    /// <summary>What the serving transformer needs from the options.</summary>
    internal Serving.ServingOptions ServingOptions() =>
        new(UserColumnName, ItemColumnName, ScoreColumnName, TopK, ExcludeTrainingItemsFromTopK, GpuDeviceId, FallbackToCpu);

    /// <summary>Throws an <see cref="ArgumentOutOfRangeException"/> for option <paramref name="name"/> unless <paramref name="ok"/>.</summary>
    protected static void Check(bool ok, string name, string requirement)
    {
        if (!ok) throw new ArgumentOutOfRangeException(name, $"Option {name} {requirement}.");
    }
}
