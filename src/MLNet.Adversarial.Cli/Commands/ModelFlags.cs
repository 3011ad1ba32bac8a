using System.CommandLine;
using MLNet.Adversarial.Trainers;

namespace MLNet.Adversarial.Cli.Commands;

/// <summary>The model and optimisation flags that every training command shares, and how they set the trainer options.</summary>
/// <param name="defaultTrainer">The --trainer default.</param>
/// <param name="trainers">The trainers the command offers (default: bpr and apr).</param>
internal sealed class ModelFlags(string defaultTrainer, params string[] trainers)
{
    public readonly Option<string> Trainer = TrainerOption(defaultTrainer, trainers.Length > 0 ? trainers : ["bpr", "apr"]);

    private static Option<string> TrainerOption(string defaultTrainer, string[] trainers) => new Option<string>("--trainer")
    {
        Description = string.Join(", ", trainers[..^1]) + " or " + trainers[^1] + (trainers.Contains("irgan") ? " (IRGAN: G is pre-trained by BPR with the model flags." : "") +
            (trainers.Contains("cfgan") ? " CFGAN: --epochs are rounds of the game; the other model flags do not apply)." : trainers.Contains("irgan") ? ")." : "."),
        DefaultValueFactory = _ => defaultTrainer,
    }.AcceptOnlyFromAmong(trainers);

    public readonly Option<int> Epochs = new("--epochs") { Description = "Training epochs.", DefaultValueFactory = _ => FactorizationTrainerOptions.Defaults.Epochs };
    public readonly Option<int> Dim = new("--dim") { Description = "Embedding dimension.", DefaultValueFactory = _ => FactorizationTrainerOptions.Defaults.EmbeddingDimension };
    public readonly Option<double> LearningRate = new("--lr") { Description = "Adam learning rate.", DefaultValueFactory = _ => FactorizationTrainerOptions.Defaults.LearningRate };
    public readonly Option<double> L2 = new("--l2") { Description = "L2 regularisation.", DefaultValueFactory = _ => FactorizationTrainerOptions.Defaults.L2Regularization };
    public readonly Option<int> Batch = new("--batch") { Description = "Pairs per step.", DefaultValueFactory = _ => FactorizationTrainerOptions.Defaults.BatchSize };
    public readonly Option<double> Epsilon = new("--epsilon") { Description = "APR perturbation norm ε.", DefaultValueFactory = _ => AprTrainer.Options.AdversarialDefaults.Epsilon };
    public readonly Option<double> AdvWeight = new("--adv-weight") { Description = "APR adversarial weight λ.", DefaultValueFactory = _ => AprTrainer.Options.AdversarialDefaults.AdversarialWeight };
    public readonly Option<int?> AdvStart = new("--adv-start") { Description = "Epochs of plain BPR warm-up before the adversarial term (APR; default: when validation stops improving, at most half of --epochs; without validation half of --epochs).", HelpName = "N" };

    /// <summary>The options, in the order the help lists them.</summary>
    public IEnumerable<Option> All => [Trainer, Epochs, Dim, LearningRate, L2, Batch, Epsilon, AdvWeight, AdvStart];

    public bool IsApr(CommandContext c) => c.Get(Trainer) == "apr";

    public bool IsIrgan(CommandContext c) => c.Get(Trainer) == "irgan";

    /// <summary>Trainer options from the flags (BPR: adversarial weight 0).</summary>
    public AprTrainer.Options Create(CommandContext c, float? minRating) => new()
    {
        MinRating = minRating,
        EmbeddingDimension = c.Get(Dim), Epochs = c.Get(Epochs), LearningRate = c.Get(LearningRate),
        L2Regularization = c.Get(L2), BatchSize = c.Get(Batch), Epsilon = c.Get(Epsilon),
        AdversarialWeight = IsApr(c) ? c.Get(AdvWeight) : 0, AdversarialStartEpoch = c.Get(AdvStart),
    };
}
