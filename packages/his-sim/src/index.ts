export { demoHospital, demoUsers, DEMO_PASSWORD, type DemoCampus } from './demo-hospital.js';
