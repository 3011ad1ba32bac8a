using MLNet.Adversarial.Data;

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
        /// <summary>Default <see cref="L2Regularization"/> of BPR (and of IRGAN's BPR pre-training), chosen on a validation split of MovieLens-100K.</summary>
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
    [HyperParameter("embedding_dimension", "--dim", "Embedding dimension.", Min = 1, Max = 4096, SearchMin = 8, SearchMax = 256, SearchLogScale = true)]
    public int EmbeddingDimension { get; set; } = Defaults.EmbeddingDimension;

    /// <summary>The maximum number of passes over the training positives (with validation data, early stopping usually ends training before).</summary>
    [HyperParameter("epochs", "--epochs", "Training epochs at most (IRGAN: of G's BPR pre-training); with validation, early stopping usually ends before.", Min = 0, ShapesTraining = false)]
    public int Epochs { get; set; } = Defaults.Epochs;

    /// <summary>Training pairs per gradient step.</summary>
    [HyperParameter("batch_size", "--batch", "Pairs per step (IRGAN: also D's).", Min = 1, Max = 1 << 20, SearchMin = 256, SearchMax = 16384, SearchLogScale = true)]
    public int BatchSize { get; set; } = Defaults.BatchSize;

    /// <summary>The optimiser.</summary>
    [HyperParameter("optimizer", "--optimizer", "The optimiser of the embeddings: adam or adagrad.", SearchChoices = true)]
    public OptimizerKind Optimizer { get; set; } = OptimizerKind.Adam;

    /// <summary>The optimiser's learning rate.</summary>
    [HyperParameter("learning_rate", "--lr", "Learning rate of the optimiser (IRGAN: of G's BPR pre-training).", Min = 0, MinExclusive = true, SearchMin = 1e-4, SearchMax = 0.05, SearchLogScale = true)]
    public double LearningRate { get; set; } = Defaults.LearningRate;

    /// <summary>
    /// L2 penalty on the embedding rows and biases used in each batch (scaled per pair). Null (the default): the
    /// trainer's own default, <see cref="EffectiveL2Regularization"/> (BPR <see cref="Defaults.L2Regularization"/>; APR
    /// less, since its adversarial term regularises too).
    /// </summary>
    [HyperParameter("l2_regularization", "--l2", "L2 regularisation of the rows and biases in each batch (default: 0.01; APR 0.001, its adversarial term regularises too).", Min = 0, SearchMin = 1e-4, SearchMax = 0.1, SearchLogScale = true, RecordedAs = nameof(EffectiveL2Regularization))]
    public double? L2Regularization { get; set; }

    /// <summary>The L2 penalty training uses: <see cref="L2Regularization"/>, or the trainer's default when it is null.</summary>
    public virtual double EffectiveL2Regularization => L2Regularization ?? Defaults.L2Regularization;

    /// <summary>Negative items drawn for each positive in each epoch.</summary>
    [HyperParameter("negatives_per_positive", "--negatives", "Negative items drawn per positive in each epoch.", Min = 1, Max = 1024, ValueName = "N", SearchMin = 1, SearchMax = 8, SearchLogScale = true)]
    public int NegativesPerPositive { get; set; } = Defaults.NegativesPerPositive;

    /// <summary>How negatives are drawn.</summary>
    [HyperParameter("negative_sampler", "--sampler", "Negative sampler: uniform, or dns (dynamic: the best-scored of --dns-candidates).", FlagValues = ["uniform", "dns"], SearchChoices = true)]
    public NegativeSamplerKind NegativeSampler { get; set; } = NegativeSamplerKind.Uniform;

    /// <summary>Candidates scored per negative by the dynamic sampler.</summary>
    [HyperParameter("dynamic_candidates", "--dns-candidates", "Candidates scored per negative by the dns sampler.", Min = 1, Max = 1024, ValueName = "N", SearchMin = 2, SearchMax = 20)]
    public int DynamicCandidates { get; set; } = Defaults.DynamicCandidates;

    /// <summary>Whether the model has a per-item bias term.</summary>
    [HyperParameter("use_item_bias", "--item-bias", "Whether the model has a per-item bias term (--item-bias false: none).", SearchChoices = true)]
    public bool UseItemBias { get; set; } = true;

    /// <summary>Standard deviation of the Gaussian initialisation of the embeddings.</summary>
    [HyperParameter("initial_standard_deviation", "--init-std", "Standard deviation of the Gaussian initialisation of the embeddings.", Min = 0, MinExclusive = true, SearchMin = 1e-3, SearchMax = 0.1, SearchLogScale = true)]
    public double InitialStandardDeviation { get; set; } = Defaults.InitialStandardDeviation;

    /// <summary>
    /// Privacy-adversarial training: hide a sensitive user attribute from the user embeddings (see <see cref="PrivacyOptions"/>).
    /// Null: off. Works with BPR and APR alike.
    /// </summary>
    [HyperParameterGroup]
    public PrivacyOptions? Privacy { get; set; }

    /// <summary>
    /// Hybrid recommender: a text embedding per item (e.g. of its title and genres; see <see cref="Text.TextFeatures"/>).
    /// Each item's vector becomes q_i + W·(t_i − c): its id embedding plus a learned projection W of its centred text
    /// embedding, trained jointly (W by dense Adam or Adagrad); APR perturbs that sum. Catalogue items without an
    /// embedding get the mean one (their text part is then zero). Null: plain id-only factorisation.
    /// </summary>
    [NotHyperParameter("data: its source is recorded as item_text")]
    public Text.TextFeatures? ItemText { get; set; }

    /// <summary>Optional user text embeddings (a profile, demographics as text): the user vector becomes p_u + V·(s_u − c_s). Needs <see cref="ItemText"/>.</summary>
    [NotHyperParameter("data: its source is recorded as user_text")]
    public Text.TextFeatures? UserText { get; set; }

    /// <summary>L2 penalty λ_W·‖W‖² on the text projections, per batch (the id rows keep <see cref="L2Regularization"/>).</summary>
    [HyperParameter("text_projection_l2", "--text-l2", "L2 penalty on the text projections (hybrid model).", Min = 0, SearchMin = 1e-6, SearchMax = 1e-2, SearchLogScale = true)]
    public double TextProjectionL2 { get; set; } = Defaults.TextProjectionL2;

    /// <summary>
    /// The weights training starts from instead of the seeded random initialisation (an update: <see cref="AprTrainer.Update(Models.FactorizationModel, InteractionData, InteractionData, UpdateOptions, Action{string})"/>);
    /// over the training data's vocabularies. Set only by the update path; the optimiser state starts afresh.
    /// </summary>
    internal Models.FactorizationModel? WarmStart { get; set; }

    /// <summary>With <see cref="WarmStart"/>: the checkpoint whose optimiser state (Adam's moments, the step count) training continues with, row by row over its vocabularies; null: a fresh optimiser.</summary>
    internal Training.TrainingCheckpoint? WarmStartState { get; set; }

    /// <summary>Checks every option and throws an <see cref="ArgumentOutOfRangeException"/> naming the bad one.</summary>
    public override void Validate()
    {
        base.Validate();
        Check(UserText is null || ItemText is not null, nameof(UserText), "needs ItemText (user text alone is not supported)");
        // The privacy game reads and moves the users' id rows; a user text part would carry the attribute past it.
        Check(UserText is null || Privacy is null, nameof(UserText), "cannot be combined with Privacy");
        Privacy?.Validate();
    }
}
