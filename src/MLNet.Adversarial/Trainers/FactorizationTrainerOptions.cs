namespace MLNet.Adversarial.Trainers;

/// <summary>
/// Options shared by the matrix-factorisation trainers (BPR, APR and those built on them): the model size, the
/// optimiser, the negative sampling, checkpoints and privacy-adversarial training. The data columns, validation and
/// serving settings every trainer shares are in <see cref="RecommenderTrainerOptions"/>.
/// </summary>
public abstract class FactorizationTrainerOptions : RecommenderTrainerOptions
{
    /// <summary>Default values of the factorisation options, as in ML.NET's <c>Defaults</c> classes.</summary>
    public new static class Defaults
    {
        /// <summary>Default <see cref="EmbeddingDimension"/>.</summary>
        public const int EmbeddingDimension = 64;
        /// <summary>Default <see cref="Epochs"/>: a maximum; early stopping on the internal validation split normally ends training first.</summary>
        public const int Epochs = 200;
        /// <summary>Default <see cref="BatchSize"/>.</summary>
        public const int BatchSize = 4096;
        /// <summary>Default <see cref="LearningRate"/>.</summary>
        public const double LearningRate = 0.005;
        /// <summary>Default <see cref="L2Regularization"/>.</summary>
        public const double L2Regularization = 0.01;
        /// <summary>Default <see cref="NegativesPerPositive"/>.</summary>
        public const int NegativesPerPositive = 1;
        /// <summary>Default <see cref="DynamicCandidates"/>.</summary>
        public const int DynamicCandidates = 5;
        /// <summary>Default <see cref="InitialStandardDeviation"/>.</summary>
        public const double InitialStandardDeviation = 0.01;
        /// <summary>Default <see cref="TextProjectionL2"/>.</summary>
        public const double TextProjectionL2 = 1e-4;
    }

    /// <summary>Size of the user and item embeddings (k).</summary>
    public int EmbeddingDimension { get; set; } = Defaults.EmbeddingDimension;

    /// <summary>The maximum number of passes over the training positives (with validation data, early stopping usually ends training before).</summary>
    public int Epochs { get; set; } = Defaults.Epochs;

    /// <summary>Training pairs per gradient step.</summary>
    public int BatchSize { get; set; } = Defaults.BatchSize;

    /// <summary>The optimiser.</summary>
    public OptimizerKind Optimizer { get; set; } = OptimizerKind.Adam;

    /// <summary>The optimiser's learning rate.</summary>
    public double LearningRate { get; set; } = Defaults.LearningRate;

    /// <summary>L2 penalty on the embedding rows and biases used in each batch (scaled per pair).</summary>
    public double L2Regularization { get; set; } = Defaults.L2Regularization;

    /// <summary>Negative items drawn for each positive in each epoch.</summary>
    public int NegativesPerPositive { get; set; } = Defaults.NegativesPerPositive;

    /// <summary>How negatives are drawn.</summary>
    public NegativeSamplerKind NegativeSampler { get; set; } = NegativeSamplerKind.Uniform;

    /// <summary>Candidates scored per negative by the dynamic sampler.</summary>
    public int DynamicCandidates { get; set; } = Defaults.DynamicCandidates;

    /// <summary>Whether the model has a per-item bias term.</summary>
    public bool UseItemBias { get; set; } = true;

    /// <summary>Standard deviation of the Gaussian initialisation of the embeddings.</summary>
    public double InitialStandardDeviation { get; set; } = Defaults.InitialStandardDeviation;

    /// <summary>
    /// Privacy-adversarial training: hide a sensitive user attribute from the user embeddings (see <see cref="PrivacyOptions"/>).
    /// Null: off. Works with BPR and APR alike.
    /// </summary>
    public PrivacyOptions? Privacy { get; set; }

    /// <summary>
    /// Hybrid recommender: a text embedding per item (e.g. of its title and genres; see <see cref="Text.TextFeatures"/>).
    /// Each item's vector becomes q_i + W·(t_i − c): its id embedding plus a learned projection W of its centred text
    /// embedding, trained jointly (W by dense Adam or Adagrad); APR perturbs that sum. Catalogue items without an
    /// embedding get the mean one (their text part is then zero). Null: plain id-only factorisation.
    /// </summary>
    public Text.TextFeatures? ItemText { get; set; }

    /// <summary>Optional user text embeddings (a profile, demographics as text): the user vector becomes p_u + V·(s_u − c_s). Needs <see cref="ItemText"/>.</summary>
    public Text.TextFeatures? UserText { get; set; }

    /// <summary>L2 penalty λ_W·‖W‖² on the text projections, per batch (the id rows keep <see cref="L2Regularization"/>).</summary>
    public double TextProjectionL2 { get; set; } = Defaults.TextProjectionL2;

    /// <summary>Checks every option and throws an <see cref="ArgumentOutOfRangeException"/> naming the bad one.</summary>
    public override void Validate()
    {
        base.Validate();
        Check(EmbeddingDimension is > 0 and <= 4096, nameof(EmbeddingDimension), "must be in 1..4096");
        Check(Epochs >= 0, nameof(Epochs), "must not be negative");
        Check(BatchSize > 0, nameof(BatchSize), "must be positive");
        Check(LearningRate > 0 && double.IsFinite(LearningRate), nameof(LearningRate), "must be positive");
        Check(L2Regularization >= 0 && double.IsFinite(L2Regularization), nameof(L2Regularization), "must not be negative");
        Check(NegativesPerPositive > 0, nameof(NegativesPerPositive), "must be positive");
        Check(DynamicCandidates > 0, nameof(DynamicCandidates), "must be positive");
        Check(InitialStandardDeviation > 0 && double.IsFinite(InitialStandardDeviation), nameof(InitialStandardDeviation), "must be positive");
        Check(TextProjectionL2 >= 0 && double.IsFinite(TextProjectionL2), nameof(TextProjectionL2), "must not be negative");
        Check(UserText is null || ItemText is not null, nameof(UserText), "needs ItemText (user text alone is not supported)");
        // The privacy game reads and moves the users' id rows; a user text part would carry the attribute past it.
        Check(UserText is null || Privacy is null, nameof(UserText), "cannot be combined with Privacy");
        Privacy?.Validate();
    }
}
