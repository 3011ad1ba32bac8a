using System.Globalization;
using Microsoft.ML;
using MLNet.Adversarial.Serving;
using MLNet.Adversarial.Trainers;

namespace MLNet.Adversarial.Tuning;

/// <summary>
/// One trainer's search space, read from its options' declarations (<see cref="HyperParameterAttribute.SearchMin"/>,
/// <c>SearchMax</c>, <c>SearchLogScale</c>, <c>SearchChoices</c>): how to sample a configuration, apply it to options,
/// give a trial its epoch budget and make the estimator.
/// </summary>
internal sealed class TrainerSearchSpace
{
    // Declared options that mean nothing for the trainer as tuned: BPR is APR with λ = 0, and tuning has no item text.
    private static readonly string[] NeverSearched = [nameof(FactorizationTrainerOptions.TextProjectionL2)];
    private static readonly string[] NotForBpr = [nameof(AprTrainer.Options.Epsilon), nameof(AprTrainer.Options.AdversarialWeight)];

    private TrainerSearchSpace(TunableTrainer trainer)
    {
        Trainer = trainer;
        var excluded = trainer == TunableTrainer.Bpr ? NeverSearched.Concat(NotForBpr).ToArray() : NeverSearched;
        Parameters = HyperParameterSet.For(CreateDefaults().GetType()).Parameters.Where(p => p.Search is not null && !excluded.Contains(p.Name)).ToArray();
    }

    /// <summary>The search space of <paramref name="trainer"/>.</summary>
    public static TrainerSearchSpace For(TunableTrainer trainer) => new(trainer);

    /// <summary>The trainer.</summary>
    public TunableTrainer Trainer { get; }

    /// <summary>The trainer's name in lower case, as the CLI writes it.</summary>
    public string Name => Trainer.ToString().ToLowerInvariant();

    /// <summary>The declared hyper-parameters with a search range, in declaration order.</summary>
    public IReadOnlyList<HyperParameter> Parameters { get; }

    /// <summary>New options with the trainer's defaults (BPR: APR's with λ = 0).</summary>
    public RecommenderTrainerOptions CreateDefaults() => Trainer switch
    {
        TunableTrainer.Bpr => new AprTrainer.Options { AdversarialWeight = 0 },
        TunableTrainer.Apr => new AprTrainer.Options(),
        TunableTrainer.Irgan => new IrganTrainer.Options(),
        TunableTrainer.Cfgan => new CfganTrainer.Options(),
        _ => throw new ArgumentOutOfRangeException(nameof(Trainer), Trainer, "unknown trainer"),
    };

    /// <summary>A configuration drawn from the declared ranges: property name → value text (<see cref="HyperParameter.Format"/>).</summary>
    public SortedDictionary<string, string> Sample(Random random) => Sample(Parameters, random);

    /// <summary>Draws a value for each of <paramref name="parameters"/> (each with a search range), in order, from <paramref name="random"/>.</summary>
    internal static SortedDictionary<string, string> Sample(IEnumerable<HyperParameter> parameters, Random random)
    {
        var values = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var p in parameters) values[p.Name] = HyperParameter.Format(Draw(p, p.Search!, random));
        return values;
    }

    /// <summary>The options of <paramref name="values"/> (the others keep their defaults).</summary>
    public RecommenderTrainerOptions Create(IReadOnlyDictionary<string, string> values)
    {
        var options = CreateDefaults();
        var set = HyperParameterSet.For(options.GetType());
        foreach (var (name, text) in values) set[name].SetValue(options, Parse(set[name], text));
        return options;
    }

    /// <summary>Gives a trial its budget of <paramref name="epochs"/> (IRGAN: pre-training epochs, and a quarter as many rounds of the game).</summary>
    public static void SetEpochBudget(RecommenderTrainerOptions options, int epochs)
    {
        switch (options)
        {
            case IrganTrainer.Options irgan:
                irgan.Epochs = epochs;
                irgan.AdversarialEpochs = Math.Max(1, (int)Math.Round(epochs * (double)IrganTrainer.Options.GameDefaults.AdversarialEpochs / FactorizationTrainerOptions.Defaults.Epochs));
                break;
            case FactorizationTrainerOptions factorization: factorization.Epochs = epochs; break;
            case CfganTrainer.Options cfgan: cfgan.Epochs = epochs; break;
            default: throw new ArgumentOutOfRangeException(nameof(options), options.GetType().Name, "no epoch budget for these options");
        }
    }

    /// <summary>The estimator of <paramref name="options"/>: the one switch from options to trainer (the catalog's <c>Trainers.For</c> too).</summary>
    public static IEstimator<RecommenderTransformer> Estimator(MLContext mlContext, RecommenderTrainerOptions options) => options switch
    {
        IrganTrainer.Options o => new IrganTrainer(mlContext, o),
        CfganTrainer.Options o => new CfganTrainer(mlContext, o),
        AprTrainer.Options o => new AprTrainer(mlContext, o),
        null => throw new ArgumentNullException(nameof(options)),
        _ => throw new ArgumentOutOfRangeException(nameof(options), options.GetType().Name, "no trainer takes these options"),
    };

    private static object Draw(HyperParameter p, HyperParameterSearchSpace space, Random random)
    {
        if (space.Choices is { } choices) return choices[random.Next(choices.Count)];
        double u = random.NextDouble();
        bool log = space.LogScale && space.Min > 0;
        if (p.IsInteger)
        {
            // Each whole number in [min, max] gets its share of the (log) range: draw in [min, max + 1), round down.
            double top = space.Max + 1;
            double x = log ? Math.Exp(Math.Log(space.Min) + u * (Math.Log(top) - Math.Log(space.Min))) : space.Min + u * (top - space.Min);
            long whole = Math.Clamp((long)Math.Floor(x), (long)Math.Ceiling(space.Min), (long)Math.Floor(space.Max));
            return p.ValueType == typeof(long) ? whole : (object)(int)whole;
        }
        double v = log ? Math.Exp(Math.Log(space.Min) + u * (Math.Log(space.Max) - Math.Log(space.Min))) : space.Min + u * (space.Max - space.Min);
        // Three significant digits keep the tables readable and the values exact in trials.json.
        double rounded = double.Parse(v.ToString("G3", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        return p.ValueType == typeof(float) ? (float)rounded : rounded;
    }

    private static object? Parse(HyperParameter p, string text)
    {
        if (text.Length == 0 && p.IsNullable) return null;
        var type = p.ValueType;
        if (type.IsEnum) return Enum.Parse(type, text);
        if (type == typeof(bool)) return text == "true";
        return Convert.ChangeType(text, type, CultureInfo.InvariantCulture);
    }
}
