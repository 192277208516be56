//! Proves that libtorch is linked and computes: a tiny model learns a line by gradient descent.

use tch::nn::{self, Module, OptimizerConfig};
use tch::{Device, Kind, Tensor};

#[test]
fn a_tiny_linear_model_learns_a_line() {
    tch::manual_seed(7);
    let store = nn::VarStore::new(Device::Cpu);
    let model = nn::linear(store.root() / "line", 1, 1, Default::default());
    let mut optimiser = nn::Adam::default().build(&store, 0.1).expect("Adam builds");

    let inputs = Tensor::linspace(-1.0, 1.0, 64, (Kind::Float, Device::Cpu)).unsqueeze(1);
    let targets = &inputs * 3.0 + 0.5;
    let loss_of = |model: &nn::Linear| {
        model
            .forward(&inputs)
            .mse_loss(&targets, tch::Reduction::Mean)
    };

    let first_loss = loss_of(&model).double_value(&[]);
    for _ in 0..200 {
        optimiser.backward_step(&loss_of(&model));
    }
    let last_loss = loss_of(&model).double_value(&[]);

    assert!(
        first_loss > 1.0,
        "an untrained model is far off: {first_loss}"
    );
    assert!(last_loss < 1e-4, "200 Adam steps fit a line: {last_loss}");
    let weight = model.ws.double_value(&[0, 0]);
    let bias = model
        .bs
        .as_ref()
        .expect("linear has a bias")
        .double_value(&[0]);
    assert!(
        (weight - 3.0).abs() < 1e-2 && (bias - 0.5).abs() < 1e-2,
        "w={weight} b={bias}"
    );
}

#[test]
fn the_report_names_the_linked_libtorch() {
    let report = gsv_models::torch_report();
    assert!(report.libtorch_version.starts_with("2.13"), "{report:?}");
    assert!(report.cpu_threads >= 1);
    assert_eq!(
        report.cuda_devices.len(),
        if report.cuda_available {
            report.cuda_devices.len()
        } else {
            0
        }
    );
}
