using MLNet.Adversarial.Data;
using MLNet.Adversarial.Evaluation;
using MLNet.Adversarial.Models;

namespace MLNet.Adversarial.Trainers;

/// <summary>
/// CFGAN (Chae et al., CIKM 2018): a conditional GAN whose generator turns a user's purchase vector into a vector
/// of item scores, trained against a discriminator with partial masking and zero reconstruction.
/// Create it with <c>mlContext.Adversarial().Trainers.Cfgan(...)</c>.
/// </summary>
public sealed class CfganTrainer
{
    /// <summary>Options of <see cref="CfganTrainer"/>. The defaults are the authors' MovieLens-100K settings unless noted.</summary>
    public sealed class Options
    {
        /// <summary>Default values, as in ML.NET's <c>Defaults</c> classes.</summary>
        public static class Defaults
        {
            /// <summary>Default <see cref="Epochs"/>.</summary>
            public const int Epochs = 250;
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
            /// <summary>Default <see cref="ValidationK"/>.</summary>
            public const int ValidationK = 20;
            /// <summary>Default <see cref="EarlyStoppingPatience"/>.</summary>
            public const int EarlyStoppingPatience = 0;
        }

        /// <summary>Rounds of the game: each draws the PM and ZR negatives, then takes the D and G passes.</summary>
        public int Epochs { get; set; } = Defaults.Epochs;

        /// <summary>Units of each hidden layer of the generator.</summary>
        public int GeneratorHiddenSize { get; set; } = Defaults.GeneratorHiddenSize;

        /// <summary>Hidden (sigmoid) layers of the generator.</summary>
        public int GeneratorHiddenLayers { get; set; } = Defaults.GeneratorHiddenLayers;

        /// <summary>Units of each hidden layer of the discriminator.</summary>
        public int DiscriminatorHiddenSize { get; set; } = Defaults.DiscriminatorHiddenSize;

        /// <summary>Hidden (sigmoid) layers of the discriminator.</summary>
        public int DiscriminatorHiddenLayers { get; set; } = Defaults.DiscriminatorHiddenLayers;

        /// <summary>Adam learning rate of the generator.</summary>
        public double GeneratorLearningRate { get; set; } = Defaults.GeneratorLearningRate;

        /// <summary>Adam learning rate of the discriminator.</summary>
        public double DiscriminatorLearningRate { get; set; } = Defaults.DiscriminatorLearningRate;

        /// <summary>λ of the generator's L2 penalty λ·‖w‖²/2 over all its weights and biases.</summary>
        public double GeneratorL2Regularization { get; set; } = Defaults.GeneratorL2Regularization;

        /// <summary>λ of the discriminator's L2 penalty.</summary>
        public double DiscriminatorL2Regularization { get; set; } = Defaults.DiscriminatorL2Regularization;

        /// <summary>Passes over the users for the generator in each round.</summary>
        public int GeneratorSteps { get; set; } = Defaults.GeneratorSteps;

        /// <summary>Passes over the users for the discriminator in each round.</summary>
        public int DiscriminatorSteps { get; set; } = Defaults.DiscriminatorSteps;

        /// <summary>Users per generator step.</summary>
        public int GeneratorBatchSize { get; set; } = Defaults.GeneratorBatchSize;

        /// <summary>Users per discriminator step.</summary>
        public int DiscriminatorBatchSize { get; set; } = Defaults.DiscriminatorBatchSize;

        /// <summary>
        /// Partial masking (PM): the share of each user's unpurchased items added to the mask of the generated vector
        /// that the discriminator sees (S_PM). 0 turns PM off: the discriminator then sees only the purchased entries.
        /// </summary>
        public double PartialMaskingRatio { get; set; } = Defaults.PartialMaskingRatio;

        /// <summary>Zero reconstruction (ZR): the share of each user's unpurchased items whose generated value is pushed to 0 (S_ZR). 0 turns ZR off.</summary>
        public double ZeroReconstructionRatio { get; set; } = Defaults.ZeroReconstructionRatio;

        /// <summary>α, the weight of the ZR term α·Σ_j G(c_u)_j² (summed over the sampled items, averaged over the users). 0 turns ZR off.</summary>
        public double ZeroReconstructionWeight { get; set; } = Defaults.ZeroReconstructionWeight;

        /// <summary>
        /// Random noise inputs appended to the condition while training (uniform in [-1, 1)); scoring uses their mean, 0.
        /// The paper's generator takes noise, the authors' code none (0, the default): one most plausible vector per user is wanted.
        /// </summary>
        public int NoiseDimension { get; set; }

        /// <summary>
        /// Decay d of an exponential moving average of the generator's weights, updated after every generator step;
        /// the model (and the validation) use the average. 0 (the default) turns it off and uses the last weights.
        /// </summary>
        public double GeneratorAveragingDecay { get; set; }

        /// <summary>Whether a sigmoid follows the generator's last layer (the paper); otherwise it is linear (the authors' code).</summary>
        public bool SigmoidOutput { get; set; }

        /// <summary>Random seed for initialisation, shuffling and sampling. Null: drawn from the <c>MLContext</c>'s seed.</summary>
        public int? Seed { get; set; }

        /// <summary>Where TorchSharp trains.</summary>
        public TrainingDevice Device { get; set; } = TrainingDevice.Auto;

        /// <summary>libtorch intra-op CPU threads while training (restored afterwards). Null: 1.</summary>
        public int? NumberOfThreads { get; set; }

        /// <summary>K of the validation NDCG.</summary>
        public int ValidationK { get; set; } = Defaults.ValidationK;

        /// <summary>Stop after this many validated epochs without improvement (0 disables early stopping; the best epoch is still kept).</summary>
        public int EarlyStoppingPatience { get; set; } = Defaults.EarlyStoppingPatience;

        /// <summary>Receives a report after every round: G loss (<see cref="TrainingEpochReport.Loss"/>), D loss, validation metric, seconds.</summary>
        public IProgress<TrainingEpochReport>? Progress { get; set; }

        /// <summary>Stops training at the next batch.</summary>
        public CancellationToken CancellationToken { get; set; }

        /// <summary>Checks every option and throws an <see cref="ArgumentOutOfRangeException"/> naming the bad one.</summary>
        public void Validate()
        {
            Check(Epochs >= 0, nameof(Epochs), "must not be negative");
            Check(GeneratorHiddenSize is > 0 and <= 1 << 16, nameof(GeneratorHiddenSize), "must be in 1..65536");
            Check(GeneratorHiddenLayers is > 0 and <= 16, nameof(GeneratorHiddenLayers), "must be in 1..16");
            Check(DiscriminatorHiddenSize is > 0 and <= 1 << 16, nameof(DiscriminatorHiddenSize), "must be in 1..65536");
            Check(DiscriminatorHiddenLayers is > 0 and <= 16, nameof(DiscriminatorHiddenLayers), "must be in 1..16");
            Check(GeneratorLearningRate > 0 && double.IsFinite(GeneratorLearningRate), nameof(GeneratorLearningRate), "must be positive");
            Check(DiscriminatorLearningRate > 0 && double.IsFinite(DiscriminatorLearningRate), nameof(DiscriminatorLearningRate), "must be positive");
            Check(GeneratorL2Regularization >= 0 && double.IsFinite(GeneratorL2Regularization), nameof(GeneratorL2Regularization), "must not be negative");
            Check(DiscriminatorL2Regularization >= 0 && double.IsFinite(DiscriminatorL2Regularization), nameof(DiscriminatorL2Regularization), "must not be negative");
            Check(GeneratorSteps > 0, nameof(GeneratorSteps), "must be positive");
            Check(DiscriminatorSteps >= 0, nameof(DiscriminatorSteps), "must not be negative");
            Check(GeneratorBatchSize > 0, nameof(GeneratorBatchSize), "must be positive");
            Check(DiscriminatorBatchSize > 0, nameof(DiscriminatorBatchSize), "must be positive");
            Check(PartialMaskingRatio is >= 0 and <= 1, nameof(PartialMaskingRatio), "must be in [0, 1]");
            Check(ZeroReconstructionRatio is >= 0 and <= 1, nameof(ZeroReconstructionRatio), "must be in [0, 1]");
            Check(ZeroReconstructionWeight >= 0 && double.IsFinite(ZeroReconstructionWeight), nameof(ZeroReconstructionWeight), "must not be negative");
            Check(GeneratorAveragingDecay is >= 0 and < 1, nameof(GeneratorAveragingDecay), "must be in [0, 1)");
            Check(NoiseDimension is >= 0 and <= 1 << 16, nameof(NoiseDimension), "must be in 0..65536");
            Check(NumberOfThreads is null or > 0, nameof(NumberOfThreads), "must be positive");
            Check(ValidationK > 0, nameof(ValidationK), "must be positive");
            Check(EarlyStoppingPatience >= 0, nameof(EarlyStoppingPatience), "must not be negative");
        }

        private static void Check(bool ok, string name, string requirement)
        {
            if (!ok) throw new ArgumentOutOfRangeException(name, $"Option {name} {requirement}.");
        }
    }

    private readonly Options _options;

    /// <summary>Creates the trainer; the options are validated.</summary>
    public CfganTrainer(Options options)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _options.Validate();
    }

    /// <summary>
    /// Trains on already indexed positives, without ML.NET. <paramref name="validation"/> (over <paramref name="train"/>'s
    /// vocabularies) selects the round with the best NDCG@<see cref="Options.ValidationK"/>; without it the last round is kept.
    /// </summary>
    public (CfganModel Model, IReadOnlyList<TrainingEpochReport> History, int SelectedEpoch) Train(InteractionData train, InteractionData? validation, int seed, Action<string>? log)
    {
        ArgumentNullException.ThrowIfNull(train);
        Func<CfganModel, double>? validate = null;
        if (validation is not null)
        {
            int k = _options.ValidationK;
            var evaluator = new RankingEvaluator(new RankingEvaluator.Options { Ks = [k] });
            validate = model => evaluator.Evaluate(new CfganScorer(model), train, validation).At(k).Ndcg;
        }
        var result = new CfganTrainingEngine(_options, seed, log).Train(train, validate);
        return (result.Model, result.History, result.SelectedEpoch);
    }

    private sealed class CfganScorer(CfganModel model) : IItemScorer
    {
        public int ItemCount => model.Items.Count;
        public void ScoreAllItems(int user, Span<float> scores) => model.ScoreAllItems(user, scores);
    }
}
