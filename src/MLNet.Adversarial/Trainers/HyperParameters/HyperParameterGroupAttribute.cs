namespace MLNet.Adversarial.Trainers;

/// <summary>
/// Marks a trainer option that holds an optional object with hyper-parameters of its own (e.g. the factorisation
/// trainers' <c>Privacy</c>, named rather than linked so that the shared code does not depend on a trainer family):
/// when it is set, its declared hyper-parameters are recorded with the trainer's (their own metadata keys; checkpoint
/// keys prefixed with the option's name; a nested metrics.json object).
/// </summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false, Inherited = true)]
public sealed class HyperParameterGroupAttribute : Attribute;
