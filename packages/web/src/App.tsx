import { App as AntApp, Spin } from 'antd';
import { BrowserRouter, Navigate, Route, Routes, useLocation } from 'react-router';
import { SessionProvider, useSession } from './auth/SessionProvider.tsx';
import { I18nProvider } from './i18n/I18nProvider.tsx';
import { AppLayout } from './layout/AppLayout.tsx';
import { APPROVE_PERMISSIONS } from './layout/navigation.tsx';
import { NotFoundResult, RequirePermission } from './layout/results.tsx';
import { DeliveryPage } from './pages/admin/delivery/DeliveryPage.tsx';
import { DevicesPage } from './pages/admin/devices/DevicesPage.tsx';
import { DeviceTemplatesPage } from './pages/admin/device-templates/DeviceTemplatesPage.tsx';
import { HisViewsPage } from './pages/admin/his-views/HisViewsPage.tsx';
import { LabSettingsPage } from './pages/admin/lab-settings/LabSettingsPage.tsx';
import { OrgPage } from './pages/admin/org/OrgPage.tsx';
import { ReportSettingsPage } from './pages/admin/report-settings/ReportSettingsPage.tsx';
import { RolesPage } from './pages/admin/roles/RolesPage.tsx';
import { SecurityPolicyPage } from './pages/admin/security/SecurityPolicyPage.tsx';
import { UsersPage } from './pages/admin/users/UsersPage.tsx';
import { AuditLogPage } from './pages/audit/AuditLogPage.tsx';
import { LoginPage } from './pages/auth/LoginPage.tsx';
import { DeviceImportPage } from './pages/device-import/DeviceImportPage.tsx';
import { HomePage } from './pages/home/HomePage.tsx';
import { IntakePage } from './pages/intake/IntakePage.tsx';
import { ProfilePage } from './pages/profile/ProfilePage.tsx';
import { QualityControlPage } from './pages/quality-control/QualityControlPage.tsx';
import { QuestionnaireFillPage } from './pages/questionnaire/QuestionnaireFillPage.tsx';
import { QuestionnaireSettingsPage } from './pages/questionnaire/QuestionnaireSettingsPage.tsx';
import { ReportWorkspacePage } from './pages/report/ReportWorkspacePage.tsx';
import { ReviewQueuePage } from './pages/review/ReviewQueuePage.tsx';
import { VerifyPage } from './pages/verify/VerifyPage.tsx';
import { WorklistPage } from './pages/worklist/WorklistPage.tsx';

export function App() {
  return (
    <I18nProvider>
      <AntApp>
        <SessionProvider>
          <BrowserRouter>
            <Routes>
              <Route path="/login" element={<LoginPage />} />
              {/* Public: the QR code on a printed report leads here, for anyone, signed in or not. */}
              <Route path="/verify/:code" element={<VerifyPage />} />
              <Route element={<SignedInLayout />}>
                <Route index element={<HomePage />} />
                <Route path="profile" element={<ProfilePage />} />
                <Route path="intake" element={<RequirePermission permission="exam.register"><IntakePage /></RequirePermission>} />
                <Route path="worklist" element={<RequirePermission permission="exam.read"><WorklistPage /></RequirePermission>} />
                <Route path="exams/:examId/report" element={<RequirePermission permission="exam.read"><ReportWorkspacePage /></RequirePermission>} />
                <Route path="exams/:examId/questionnaire" element={<RequirePermission permission="questionnaire.fill"><QuestionnaireFillPage /></RequirePermission>} />
                <Route path="review" element={<RequirePermission permission={APPROVE_PERMISSIONS}><ReviewQueuePage /></RequirePermission>} />
                <Route path="device-import" element={<RequirePermission permission="device.import"><DeviceImportPage /></RequirePermission>} />
                <Route path="quality-control" element={<RequirePermission permission="calibration.read"><QualityControlPage /></RequirePermission>} />
                <Route path="admin/users" element={<RequirePermission permission="user.manage"><UsersPage /></RequirePermission>} />
                <Route path="admin/roles" element={<RequirePermission permission="role.manage"><RolesPage /></RequirePermission>} />
                <Route path="admin/security" element={<RequirePermission permission="security.policy.edit"><SecurityPolicyPage /></RequirePermission>} />
                <Route path="admin/org" element={<RequirePermission permission="org.manage"><OrgPage /></RequirePermission>} />
                <Route path="admin/his-views" element={<RequirePermission permission="his.views.read"><HisViewsPage /></RequirePermission>} />
                <Route path="admin/devices" element={<RequirePermission permission="device.manage"><DevicesPage /></RequirePermission>} />
                <Route path="admin/device-templates" element={<RequirePermission permission="device.template"><DeviceTemplatesPage /></RequirePermission>} />
                <Route path="admin/questionnaire" element={<RequirePermission permission="questionnaire.manage"><QuestionnaireSettingsPage /></RequirePermission>} />
                <Route path="admin/report-settings" element={<RequirePermission permission="system.settings"><ReportSettingsPage /></RequirePermission>} />
                <Route path="admin/lab-settings" element={<RequirePermission permission="clinical.settings"><LabSettingsPage /></RequirePermission>} />
                <Route path="admin/delivery" element={<RequirePermission permission="delivery.manage"><DeliveryPage /></RequirePermission>} />
                <Route path="audit" element={<RequirePermission permission="audit.read"><AuditLogPage /></RequirePermission>} />
                <Route path="*" element={<NotFoundResult />} />
              </Route>
            </Routes>
          </BrowserRouter>
        </SessionProvider>
      </AntApp>
    </I18nProvider>
  );
}

/** The main layout exists only for a fully signed-in session; every earlier step happens on /login. */
function SignedInLayout() {
  const { me, loading } = useSession();
  const location = useLocation();
  if (loading) return <FullPageSpin />;
  if (!me || me.state !== 'active') return <Navigate to="/login" replace state={{ from: location.pathname + location.search }} />;
  return <AppLayout me={me} />;
}

export function FullPageSpin() {
  return (
    <div style={{ height: '100vh', display: 'flex', alignItems: 'center', justifyContent: 'center' }}>
      <Spin size="large" />
    </div>
  );
}
