using Microsoft.ML;
using MLNet.Adversarial.Data;
using MLNet.Adversarial.Models;
using MLNet.Adversarial.Serving;
using MLNet.Adversarial.Training;

namespace MLNet.Adversarial.Trainers;

/// <summary>
/// CFGAN (Chae et al., "CFGAN: A Generic Collaborative Filtering Framework based on Generative Adversarial Networks",
/// CIKM 2018), user-based: a generator G turns a user's purchase vector (the condition) into a vector of item scores,
/// and a discriminator D judges (vector, condition) pairs; partial masking (PM) and zero reconstruction (ZR) make G
/// score unpurchased items low. G's output for the user's purchase vector is the ranking. Create it with
/// <c>mlContext.Adversarial().Trainers.Cfgan(...)</c>.
/// </summary>
/// <remarks>
/// <c>Fit</c> trains with TorchSharp, exports the model to ONNX (the purchase vectors inside the graphs) and
/// returns a <see cref="RecommenderTransformer"/> whose <see cref="RecommenderTransformer.Model"/> is a <see cref="CfganModel"/>.
/// A user absent from the training data is scored from an all-zero purchase vector; a new user with a purchase
/// history is served by <see cref="CfganModel.ScorePurchaseVector"/> or the purchase-vector ONNX graph.
/// </remarks>
public sealed class CfganTrainer : RecommenderTrainer<CfganTrainer.Options>
{
    /// <summary>Options of <see cref="CfganTrainer"/>. The defaults are those chosen on a validation split of MovieLens-100K (see docs/trainers.md); the authors' settings are noted where they differ.</summary>
    public sealed class Options : RecommenderTrainerOptions
    {
        /// <summary>Creates options with the CFGAN defaults (item-based; see docs/results.md for how they were chosen).</summary>
        public Options() => EarlyStoppingPatience = GameDefaults.EarlyStoppingPatience;

        /// <summary>
        /// User-based CFGAN with the settings chosen for that orientation on the validation split (G 100, D 250, Adam
        /// 5e-4 / 2e-3, batches 64 / 128, G weights averaged with decay 0.999, no condition dropout, at most 120 rounds,
        /// patience 30): the orientation that serves users unseen at training time from their purchase vector.
        /// </summary>
        public static Options UserBased() => new()
        {
            Orientation = CfganOrientation.UserBased, Epochs = 120, GeneratorHiddenSize = 100, DiscriminatorHiddenSize = 250,
            GeneratorLearningRate = 5e-4, DiscriminatorLearningRate = 2e-3, GeneratorBatchSize = 64, DiscriminatorBatchSize = 128,
            GeneratorAveragingDecay = 0.999, ConditionDropout = 0, EarlyStoppingPatience = 30,
        };

        /// <summary>Default values of the CFGAN options.</summary>
        public static class GameDefaults
        {
            /// <summary>Default <see cref="Epochs"/>.</summary>
            public const int Epochs = 400;
            /// <summary>Default <see cref="GeneratorHiddenSize"/>.</summary>
            public const int GeneratorHiddenSize = 400;
            /// <summary>Default <see cref="GeneratorHiddenLayers"/>.</summary>
            public const int GeneratorHiddenLayers = 1;
            /// <summary>Default <see cref="DiscriminatorHiddenSize"/>.</summary>
            public const int DiscriminatorHiddenSize = 125;
            /// <summary>Default <see cref="DiscriminatorHiddenLayers"/>.</summary>
            public const int DiscriminatorHiddenLayers = 1;
            /// <summary>Default <see cref="GeneratorLearningRate"/>.</summary>
            public const double GeneratorLearningRate = 1e-4;
            /// <summary>Default <see cref="DiscriminatorLearningRate"/>.</summary>
            public const double DiscriminatorLearningRate = 1e-4;
            /// <summary>Default <see cref="GeneratorL2Regularization"/>.</summary>
            public const double GeneratorL2Regularization = 1e-3;
            /// <summary>Default <see cref="DiscriminatorL2Regularization"/>.</summary>
            public const double DiscriminatorL2Regularization = 0;
            /// <summary>Default <see cref="GeneratorSteps"/>.</summary>
            public const int GeneratorSteps = 4;
            /// <summary>Default <see cref="DiscriminatorSteps"/>.</summary>
            public const int DiscriminatorSteps = 2;
            /// <summary>Default <see cref="GeneratorBatchSize"/>.</summary>
            public const int GeneratorBatchSize = 32;
            /// <summary>Default <see cref="DiscriminatorBatchSize"/>.</summary>
            public const int DiscriminatorBatchSize = 64;
            /// <summary>Default <see cref="PartialMaskingRatio"/>.</summary>
            public const double PartialMaskingRatio = 0.7;
            /// <summary>Default <see cref="ZeroReconstructionRatio"/>.</summary>
            public const double ZeroReconstructionRatio = 0.7;
            /// <summary>Default <see cref="ZeroReconstructionWeight"/>.</summary>
            public const double ZeroReconstructionWeight = 0.03;
            /// <summary>Default <see cref="GeneratorAveragingDecay"/>.</summary>
            public const double GeneratorAveragingDecay = 0;
            /// <summary>Default <see cref="ConditionDropout"/>.</summary>
            public const double ConditionDropout = 0.5;
            /// <summary>Default <see cref="RecommenderTrainerOptions.EarlyStoppingPatience"/> (the validation metric of a GAN oscillates from round to round).</summary>
            public const int EarlyStoppingPatience = 50;
        }

        /// <summary>
        /// Whether G maps items' purchase vectors over the users (the default: the authors' MovieLens setting, the better
        /// one on the validation split; users must be known at training time) or users' (new users can be served from
        /// their history through purchase-vector.onnx; see <see cref="UserBased"/> for its own validated settings).
        /// </summary>
        [HyperParameter("orientation", "--orientation", "CFGAN: item-based (G maps items' purchase vectors over the users: the better on validation) or user-based (G maps users' purchase vectors; serves unseen users through purchase-vector.onnx).", FlagValues = ["user-based", "item-based"], SearchChoices = true)]
        public CfganOrientation Orientation { get; set; } = CfganOrientation.ItemBased;

        /// <summary>Rounds of the game: each draws the PM and ZR negatives, then takes the D and G passes.</summary>
        [HyperParameter("epochs", "--epochs", "CFGAN: rounds of the game.", Min = 0, ShapesTraining = false)]
        public int Epochs { get; set; } = GameDefaults.Epochs;

        /// <summary>Units of each hidden layer of the generator.</summary>
        [HyperParameter("generator_hidden_size", "--g-hidden", "CFGAN: units of each hidden layer of G.", Min = 1, Max = 1 << 16, ValueName = "N", SearchMin = 32, SearchMax = 1024, SearchLogScale = true)]
        public int GeneratorHiddenSize { get; set; } = GameDefaults.GeneratorHiddenSize;

        /// <summary>Hidden (sigmoid) layers of the generator.</summary>
        [HyperParameter("generator_hidden_layers", "--g-layers", "CFGAN: hidden (sigmoid) layers of G.", Min = 1, Max = 16, ValueName = "N", SearchMin = 1, SearchMax = 3)]
        public int GeneratorHiddenLayers { get; set; } = GameDefaults.GeneratorHiddenLayers;

        /// <summary>Units of each hidden layer of the discriminator.</summary>
        [HyperParameter("discriminator_hidden_size", "--d-hidden", "CFGAN: units of each hidden layer of D.", Min = 1, Max = 1 << 16, ValueName = "N", SearchMin = 32, SearchMax = 1024, SearchLogScale = true)]
        public int DiscriminatorHiddenSize { get; set; } = GameDefaults.DiscriminatorHiddenSize;

        /// <summary>Hidden (sigmoid) layers of the discriminator.</summary>
        [HyperParameter("discriminator_hidden_layers", "--d-layers", "CFGAN: hidden (sigmoid) layers of D.", Min = 1, Max = 16, ValueName = "N", SearchMin = 1, SearchMax = 3)]
        public int DiscriminatorHiddenLayers { get; set; } = GameDefaults.DiscriminatorHiddenLayers;

        /// <summary>Adam learning rate of the generator.</summary>
        [HyperParameter("generator_learning_rate", "--g-lr", "CFGAN: Adam learning rate of G.", Min = 0, MinExclusive = true, SearchMin = 1e-5, SearchMax = 1e-2, SearchLogScale = true)]
        public double GeneratorLearningRate { get; set; } = GameDefaults.GeneratorLearningRate;

        /// <summary>Adam learning rate of the discriminator.</summary>
        [HyperParameter("discriminator_learning_rate", "--d-lr", "CFGAN: Adam learning rate of D.", Min = 0, MinExclusive = true, SearchMin = 1e-5, SearchMax = 1e-2, SearchLogScale = true)]
        public double DiscriminatorLearningRate { get; set; } = GameDefaults.DiscriminatorLearningRate;

        /// <summary>λ of the generator's L2 penalty λ·‖w‖²/2 over all its weights and biases.</summary>
        [HyperParameter("generator_l2_regularization", "--g-l2", "CFGAN: λ of G's L2 penalty over its weights.", Min = 0, SearchMin = 1e-5, SearchMax = 0.1, SearchLogScale = true)]
        public double GeneratorL2Regularization { get; set; } = GameDefaults.GeneratorL2Regularization;

        /// <summary>λ of the discriminator's L2 penalty.</summary>
        [HyperParameter("discriminator_l2_regularization", "--d-l2", "CFGAN: λ of D's L2 penalty over its weights.", Min = 0, SearchMin = 1e-5, SearchMax = 0.1, SearchLogScale = true)]
        public double DiscriminatorL2Regularization { get; set; } = GameDefaults.DiscriminatorL2Regularization;

        /// <summary>Passes over the users for the generator in each round.</summary>
        [HyperParameter("generator_steps", "--g-steps", "CFGAN: passes of G over the users per round.", Min = 1, Max = 1024, ValueName = "N", SearchMin = 1, SearchMax = 8)]
        public int GeneratorSteps { get; set; } = GameDefaults.GeneratorSteps;

        /// <summary>Passes over the users for the discriminator in each round.</summary>
        [HyperParameter("discriminator_steps", "--d-steps", "CFGAN: passes of D over the users per round.", Min = 0, Max = 1024, ValueName = "N", SearchMin = 1, SearchMax = 8)]
        public int DiscriminatorSteps { get; set; } = GameDefaults.DiscriminatorSteps;

        /// <summary>Users per generator step.</summary>
        [HyperParameter("generator_batch_size", "--g-batch", "CFGAN: rows per generator step.", Min = 1, Max = 1 << 20, ValueName = "N", SearchMin = 16, SearchMax = 512, SearchLogScale = true)]
        public int GeneratorBatchSize { get; set; } = GameDefaults.GeneratorBatchSize;

        /// <summary>Users per discriminator step.</summary>
        [HyperParameter("discriminator_batch_size", "--d-batch", "CFGAN: rows per discriminator step.", Min = 1, Max = 1 << 20, ValueName = "N", SearchMin = 16, SearchMax = 512, SearchLogScale = true)]
        public int DiscriminatorBatchSize { get; set; } = GameDefaults.DiscriminatorBatchSize;

        /// <summary>
        /// Partial masking (PM): the share of each user's unpurchased items added to the mask of the generated vector
        /// that the discriminator sees (S_PM). 0 turns PM off: the discriminator then sees only the purchased entries.
        /// </summary>
        [HyperParameter("partial_masking_ratio", "--pm-ratio", "CFGAN: share of unpurchased items in the partial-masking mask (0: no PM).", Min = 0, Max = 1, SearchMin = 0, SearchMax = 0.9)]
        public double PartialMaskingRatio { get; set; } = GameDefaults.PartialMaskingRatio;

        /// <summary>Zero reconstruction (ZR): the share of each user's unpurchased items whose generated value is pushed to 0 (S_ZR). 0 turns ZR off.</summary>
        [HyperParameter("zero_reconstruction_ratio", "--zr-ratio", "CFGAN: share of unpurchased items pushed to 0 by zero reconstruction (0: no ZR).", Min = 0, Max = 1, SearchMin = 0, SearchMax = 0.9)]
        public double ZeroReconstructionRatio { get; set; } = GameDefaults.ZeroReconstructionRatio;

        /// <summary>α, the weight of the ZR term α·Σ_j G(c_u)_j² (summed over the sampled items, averaged over the users). 0 turns ZR off.</summary>
        [HyperParameter("zero_reconstruction_weight", "--zr-weight", "CFGAN: α, the weight of the zero-reconstruction term.", Min = 0, SearchMin = 1e-3, SearchMax = 1, SearchLogScale = true)]
        public double ZeroReconstructionWeight { get; set; } = GameDefaults.ZeroReconstructionWeight;

        /// <summary>
        /// Random noise inputs appended to the condition while training (uniform in [-1, 1)); scoring uses their mean, 0.
        /// The paper's generator takes noise, the authors' code none (0, the default): one most plausible vector per user is wanted.
        /// </summary>
        [HyperParameter("noise_dimension", "--noise-dim", "CFGAN: random noise inputs appended to G's condition while training (0: none).", Min = 0, Max = 1 << 16, ValueName = "N", SearchMin = 0, SearchMax = 64)]
        public int NoiseDimension { get; set; }

        /// <summary>
        /// Decay d of an exponential moving average of the generator's weights, updated after every generator step;
        /// the model (and the validation) use the average. 0 turns it off and uses the last weights.
        /// </summary>
        [HyperParameter("generator_averaging_decay", "--g-averaging", "CFGAN: decay of the moving average of G's weights that is served (0: the last weights).", Min = 0, Max = 1, MaxExclusive = true, ValueName = "D", SearchMin = 0, SearchMax = 0.999)]
        public double GeneratorAveragingDecay { get; set; } = GameDefaults.GeneratorAveragingDecay;

        /// <summary>
        /// The share of the purchases hidden from the generator's input while training (each purchase dropped
        /// independently, the kept ones scaled by 1/(1 − p), as dropout); D still judges against the whole condition, so
        /// G learns to restore purchases it did not see, which is the ranking task. Scoring uses the whole vector. 0 (the
        /// default, as the paper) turns it off.
        /// </summary>
        [HyperParameter("condition_dropout", "--condition-dropout", "CFGAN: share of purchases hidden from G's input while training (0: off).", Min = 0, Max = 1, MaxExclusive = true, SearchMin = 0, SearchMax = 0.7)]
        public double ConditionDropout { get; set; } = GameDefaults.ConditionDropout;

        /// <summary>Whether a sigmoid follows the generator's last layer (the paper); otherwise it is linear (the authors' code).</summary>
        [HyperParameter("sigmoid_output", "--sigmoid-output", "CFGAN: a sigmoid after G's last layer (the paper) instead of a linear output (the authors' code).", SearchChoices = true)]
        public bool SigmoidOutput { get; set; }

        /// <summary>The model kind written into exported metadata.</summary>
        internal const string ModelKind = "cfgan-generator";
    }

    internal CfganTrainer(MLContext mlContext, Options options) : base(mlContext, options)
    {
    }

    private protected override string ModelKind => Options.ModelKind;

    private protected override int MaxEpochs => TrainerOptions.Epochs;

    private protected override IEpochTrainer CreateEpochTrainer(InteractionData train, int seed, Action<string>? log, out IReadOnlyDictionary<string, string> settings)
    {
        settings = Settings(seed);
        return new CfganTrainingEngine(TrainerOptions, train, seed);
    }

    /// <summary>
    /// Serving ranks from every known purchase: a model trained without some of them (the validation rows, or the
    /// internal holdout without a refit) gets them back (<see cref="CfganModel.WithPurchases"/>).
    /// </summary>
    private protected override (IRecommenderModel Model, InteractionData Data) ForServing(IRecommenderModel model, InteractionData trainedOn, InteractionData known,
        InteractionData input, Action<string> log) =>
        (ReferenceEquals(trainedOn, known) ? model : ((CfganModel)model).WithPurchases(known), input);

    /// <summary>
    /// Trains on already indexed positives, without ML.NET (the entry point of the command-line tool and the
    /// experiments). <paramref name="validation"/> (over <paramref name="train"/>'s vocabularies) selects the round
    /// with the best NDCG@<see cref="RecommenderTrainerOptions.ValidationK"/>; without it the last round is kept. The
    /// model ranks from <paramref name="train"/>'s purchase vectors.
    /// </summary>
    public TrainingResult<CfganModel> Train(InteractionData train, InteractionData? validation, int seed, Action<string>? log) => Train(train, validation, seed, log, out _);

    /// <summary><see cref="Train(InteractionData, InteractionData?, int, Action{string}?)"/>, also returning the checkpoint of the end of training.</summary>
    public TrainingResult<CfganModel> Train(InteractionData train, InteractionData? validation, int seed, Action<string>? log, out TrainingCheckpoint checkpoint)
    {
        var resume = TrainerOptions.ResumeFrom;
        return RunSchedule(train, validation, seed, log, resume, out checkpoint, resume?.Replay, resume?.SelectionRun).As<CfganModel>();
    }

    /// <summary>The settings that shape the trajectory (the declared hyper-parameters that shape training and the seed), recorded in checkpoints.</summary>
    private SortedDictionary<string, string> Settings(int seed) => HyperParameterSet.For<Options>().CheckpointSettings(TrainerOptions, seed);

    /// <summary>The hyper-parameters recorded in the exported ONNX metadata (the declared ones).</summary>
    internal override IReadOnlyDictionary<string, string> HyperParameters() => HyperParameterSet.For<Options>().Metadata(TrainerOptions);
}
