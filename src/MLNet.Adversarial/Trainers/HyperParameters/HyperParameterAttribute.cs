namespace MLNet.Adversarial.Trainers;

/// <summary>
/// Declares a trainer option as a hyper-parameter, in one place: its key in the exported ONNX metadata
/// (<c>hparam.&lt;key&gt;</c>), its <c>mlnet-adv train</c> flag and help, its valid range (checked by <c>Validate()</c>),
/// whether it shapes the training trajectory (then a checkpoint trained with another value cannot be resumed), and
/// the range a tuner searches. The option's default stays its property initialiser. <see cref="HyperParameterSet"/>
/// reads the declarations; the metadata, checkpoint settings, CLI flags and metrics.json summary all come from it.
/// </summary>
/// <param name="key">The snake_case metadata key, e.g. <c>embedding_dimension</c>.</param>
/// <param name="flag">The CLI flag, e.g. <c>--dim</c>; trainers may share a flag (each trainer's option takes it).</param>
/// <param name="help">The flag's help text (the default is appended by the CLI).</param>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false, Inherited = true)]
public sealed class HyperParameterAttribute(string key, string flag, string help) : Attribute
{
    /// <summary>The snake_case metadata key.</summary>
    public string Key { get; } = key;

    /// <summary>The CLI flag, with its dashes.</summary>
    public string Flag { get; } = flag;

    /// <summary>The flag's help text.</summary>
    public string Help { get; } = help;

    /// <summary>The placeholder of the flag's value in the help, e.g. <c>N</c>.</summary>
    public string? ValueName { get; set; }

    /// <summary>Smallest valid value of a numeric option (null stays valid for a nullable one).</summary>
    public double Min { get; set; } = double.NegativeInfinity;

    /// <summary>Largest valid value of a numeric option.</summary>
    public double Max { get; set; } = double.PositiveInfinity;

    /// <summary>Whether <see cref="Min"/> itself is invalid (e.g. a learning rate must be above 0).</summary>
    public bool MinExclusive { get; set; }

    /// <summary>Whether <see cref="Max"/> itself is invalid (e.g. a ratio in [0, 1)).</summary>
    public bool MaxExclusive { get; set; }

    /// <summary>Whether the value shapes the training trajectory, so resuming needs the checkpoint's value. False for stopping rules such as the number of epochs.</summary>
    public bool ShapesTraining { get; set; } = true;

    /// <summary>
    /// The name of a property of the options whose value is recorded (metadata, checkpoint, summary) instead of this
    /// one's, when the option is a nullable shorthand for a computed value (e.g. the effective adversarial start epoch).
    /// </summary>
    public string? RecordedAs { get; set; }

    /// <summary>The CLI words of an enum's values (in declaration order) or of a bool's (false, true). Null: the enum names in lower case; a bool is a switch.</summary>
    public string[]? FlagValues { get; set; }

    /// <summary>For a two-valued enum: the flag is a switch that selects the second value (e.g. <c>--item-based</c>).</summary>
    public bool Switch { get; set; }

    /// <summary>Lower end of a tuner's search range of a numeric option (NaN: not searched).</summary>
    public double SearchMin { get; set; } = double.NaN;

    /// <summary>Upper end of a tuner's search range of a numeric option (NaN: not searched).</summary>
    public double SearchMax { get; set; } = double.NaN;

    /// <summary>Whether the tuner samples the search range on a log scale.</summary>
    public bool SearchLogScale { get; set; }

    /// <summary>Whether a tuner tries every value of an enum or bool option.</summary>
    public bool SearchChoices { get; set; }
}
