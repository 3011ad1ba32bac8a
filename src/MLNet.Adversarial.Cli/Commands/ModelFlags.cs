using System.CommandLine;
using MLNet.Adversarial.Trainers;

namespace MLNet.Adversarial.Cli.Commands;

/// <summary>
/// <c>--trainer</c> and the hyper-parameter flags of the trainers a command offers, generated from the options'
/// declarations (<see cref="HyperParameterFlags"/>), and how they make the trainer's options.
/// </summary>
/// <param name="defaultTrainer">The --trainer default.</param>
/// <param name="trainers">The trainers the command offers (default: bpr and apr).</param>
internal sealed class ModelFlags(string defaultTrainer, params string[] trainers)
{
    private readonly string[] _trainers = trainers.Length > 0 ? trainers : ["bpr", "apr"];

    public readonly Option<string> Trainer = TrainerOption(defaultTrainer, trainers.Length > 0 ? trainers : ["bpr", "apr"]);

    /// <summary>The generated flags of every offered trainer's options (privacy's are <see cref="PrivacyFlags.Training"/>).</summary>
    public readonly HyperParameterFlags HyperParameters = new([.. OptionsTypes(trainers.Length > 0 ? trainers : ["bpr", "apr"])]);

    private static Option<string> TrainerOption(string defaultTrainer, string[] trainers) => new Option<string>("--trainer")
    {
        Description = string.Join(", ", trainers[..^1]) + " or " + trainers[^1] + (trainers.Contains("irgan") ? " (IRGAN: G is pre-trained by BPR with the model flags." : "") +
            (trainers.Contains("cfgan") ? " CFGAN: --epochs are rounds of the game; the factorisation flags do not apply)." : trainers.Contains("irgan") ? ")." : "."),
        DefaultValueFactory = _ => defaultTrainer,
    }.AcceptOnlyFromAmong(trainers);

    /// <summary>The options class of each offered trainer, with the trainer names the help uses.</summary>
    private static IEnumerable<(string Trainers, Type Options)> OptionsTypes(string[] trainers)
    {
        var factorization = trainers.Where(t => t is "bpr" or "apr").ToArray();
        if (factorization.Length > 0) yield return (string.Join(", ", factorization), typeof(AprTrainer.Options));
        if (trainers.Contains("irgan")) yield return ("irgan", typeof(IrganTrainer.Options));
        if (trainers.Contains("cfgan")) yield return ("cfgan", typeof(CfganTrainer.Options));
    }

    public Option<int> Epochs => HyperParameters.Get<int>("--epochs");

    public Option<int> Dim => HyperParameters.Get<int>("--dim");

    /// <summary>The options, in the order the help lists them.</summary>
    public IEnumerable<Option> All => [Trainer, .. HyperParameters.All];

    public bool IsApr(CommandContext c) => c.Get(Trainer) == "apr";

    public bool IsIrgan(CommandContext c) => c.Get(Trainer) == "irgan";

    public bool IsCfgan(CommandContext c) => c.Get(Trainer) == "cfgan";

    /// <summary>The chosen trainer's options from the flags (BPR: adversarial weight 0); the flags not given keep the trainer's defaults.</summary>
    public RecommenderTrainerOptions CreateAny(CommandContext c)
    {
        RecommenderTrainerOptions options = c.Get(Trainer) switch
        {
            "irgan" => new IrganTrainer.Options(),
            "cfgan" => new CfganTrainer.Options(),
            _ => new AprTrainer.Options(),
        };
        HyperParameters.Apply(c, options);
        if (options is AprTrainer.Options apr && !IsApr(c)) apr.AdversarialWeight = 0;
        return options;
    }

    /// <summary>BPR or APR options from the flags, for the commands that offer only those; <paramref name="minRating"/> is the command's own --min-rating.</summary>
    public AprTrainer.Options Create(CommandContext c, float? minRating)
    {
        if (_trainers.Any(t => t is not ("bpr" or "apr"))) throw new InvalidOperationException("Create makes BPR or APR options; use CreateAny.");
        var options = (AprTrainer.Options)CreateAny(c);
        options.MinRating = minRating;
        return options;
    }
}
