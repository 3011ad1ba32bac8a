namespace MLNet.Adversarial.Trainers;

/// <summary>Where a tuner looks for a hyper-parameter's value: a numeric range (maybe on a log scale), or a list of choices.</summary>
/// <param name="Min">Lower end of a numeric range (NaN for choices).</param>
/// <param name="Max">Upper end of a numeric range (NaN for choices).</param>
/// <param name="LogScale">Whether the range is sampled on a log scale.</param>
/// <param name="IsInteger">Whether the option takes whole numbers.</param>
/// <param name="Choices">The values to try for an enum or bool option; null for a range.</param>
public sealed record HyperParameterSearchSpace(double Min, double Max, bool LogScale, bool IsInteger, IReadOnlyList<object>? Choices);
