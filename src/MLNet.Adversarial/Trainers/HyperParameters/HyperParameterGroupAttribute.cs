namespace MLNet.Adversarial.Trainers;

/// <summary>
/// Marks a trainer option that holds an optional object with hyper-parameters of its own (e.g.
/// <see cref="FactorizationTrainerOptions.Privacy"/>): when it is set, its declared hyper-parameters are recorded with
/// the trainer's (their own metadata keys; checkpoint keys prefixed with the option's name; a nested metrics.json object).
/// </summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false, Inherited = true)]
public sealed class HyperParameterGroupAttribute : Attribute;
